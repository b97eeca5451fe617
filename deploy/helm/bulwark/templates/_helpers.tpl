{{/* The release's base name: the release name if it contains "bulwark", else "<release>-bulwark". */}}
{{- define "bulwark.fullname" -}}
{{- if contains "bulwark" .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-bulwark" .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Name of the webhook Deployment, Service, ServiceAccount and PDB. */}}
{{- define "bulwark.webhookName" -}}{{ include "bulwark.fullname" . }}-webhook{{- end -}}

{{/* Name of the serving certificate Secret. */}}
{{- define "bulwark.tlsSecret" -}}{{ .Values.tls.secretName | default (printf "%s-tls" (include "bulwark.webhookName" .)) }}{{- end -}}

{{/* Common labels. */}}
{{- define "bulwark.labels" -}}
app.kubernetes.io/part-of: bulwark
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of the webhook pods. */}}
{{- define "bulwark.selectorLabels" -}}
app.kubernetes.io/name: {{ include "bulwark.webhookName" . }}
{{- end -}}

{{/* Webhook image reference. */}}
{{- define "bulwark.image" -}}{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}{{- end -}}

{{/* Sidecar image reference. */}}
{{- define "bulwark.sidecarImage" -}}{{ .Values.sidecar.image.repository }}:{{ .Values.sidecar.image.tag | default .Chart.AppVersion }}{{- end -}}

{{/* Annotations of both webhook configurations (cert-manager CA injection). */}}
{{- define "bulwark.webhookAnnotations" -}}
{{- if .Values.certManager.enabled -}}
annotations:
  cert-manager.io/inject-ca-from: {{ .Release.Namespace }}/{{ include "bulwark.webhookName" . }}-tls
{{- end -}}
{{- end -}}

{{/* clientConfig of one webhook; arg: (list $ path). */}}
{{- define "bulwark.clientConfig" -}}
{{- $ := index . 0 -}}
clientConfig:
  service:
    name: {{ include "bulwark.webhookName" $ }}
    namespace: {{ $.Release.Namespace }}
    path: {{ index . 1 }}
    port: 443
  {{- if not $.Values.certManager.enabled }}
  caBundle: {{ required "tls.caBundle is required when certManager.enabled=false (base64 of ca.crt from `bulwark certs`)" $.Values.tls.caBundle }}
  {{- end }}
{{- end -}}

{{/* The namespace exclusion every webhook carries. */}}
{{- define "bulwark.excludeNamespaces" -}}
- key: kubernetes.io/metadata.name
  operator: NotIn
  values: {{ concat .Values.webhook.excludedNamespaces (list .Release.Namespace) | uniq | toJson }}
{{- with .Values.webhook.extraNamespaceSelectorExpressions }}
{{ toYaml . }}
{{- end }}
{{- end -}}
