{{/*
Helpers of the validating webhook's ConfigMap/Secret entries: which writes fail closed, which fail
open, who is exempt, and the timeout that goes with a failure policy. The same text as
deploy/base/validating-webhook.yaml (a test compares them).
*/}}

{{/* timeoutSeconds of a validating entry; arg: (list $ failurePolicy). Fail entries wait longer: a timeout there refuses a valid write. */}}
{{- define "bulwark.validateTimeout" -}}
{{- $ := index . 0 -}}
{{- if eq (index . 1) "Fail" -}}{{ $.Values.webhook.timeoutSeconds.validate }}{{- else -}}{{ $.Values.webhook.timeoutSeconds.validateFailOpen }}{{- end -}}
{{- end -}}

{{/* A CEL list of single-quoted strings (values.schema.json keeps quotes and backslashes out). */}}
{{- define "bulwark.celStrings" -}}
[{{- range $i, $s := . }}{{ if $i }}, {{ end }}'{{ $s }}'{{- end -}}]
{{- end -}}

{{/* CEL: the request comes from an exempt identity (webhook.failClosed.exemptUsers / exemptGroups). */}}
{{- define "bulwark.exemptIdentity" -}}
(has(request.userInfo.username) && request.userInfo.username in {{ include "bulwark.celStrings" .Values.webhook.failClosed.exemptUsers }}) ||
(has(request.userInfo.groups) && request.userInfo.groups.exists(g, g in {{ include "bulwark.celStrings" .Values.webhook.failClosed.exemptGroups }}))
{{- end -}}

{{/* CEL: the object, or the object before an UPDATE, is managed (bulwark.dev/managed=true) or labelled for a tenant. */}}
{{- define "bulwark.labelledObject" -}}
(has(object.metadata.labels) && (('bulwark.dev/managed' in object.metadata.labels && object.metadata.labels['bulwark.dev/managed'] == 'true') || 'bulwark.dev/tenant' in object.metadata.labels)) ||
(oldObject != null && has(oldObject.metadata.labels) && (('bulwark.dev/managed' in oldObject.metadata.labels && oldObject.metadata.labels['bulwark.dev/managed'] == 'true') || 'bulwark.dev/tenant' in oldObject.metadata.labels))
{{- end -}}

{{/*
One ConfigMap/Secret entry of the validating configuration; arg: dict with root ($), name,
failurePolicy, labels (extra namespaceSelector expressions: key, operator) and conditions (extra
matchConditions: name, expression).
*/}}
{{- define "bulwark.configWebhook" -}}
{{- $ := .root -}}
- name: {{ .name }}
  admissionReviewVersions: [v1]
  sideEffects: None
  timeoutSeconds: {{ include "bulwark.validateTimeout" (list $ .failurePolicy) }}
  failurePolicy: {{ .failurePolicy }}
  matchPolicy: Equivalent
  {{- include "bulwark.clientConfig" (list $ "/validate") | nindent 2 }}
  rules:
    - apiGroups: [""]
      apiVersions: [v1]
      resources: [configmaps, secrets]
      operations: [CREATE, UPDATE]
      scope: Namespaced
  namespaceSelector:
    matchExpressions:
      {{- include "bulwark.excludeNamespaces" $ | nindent 6 }}
      {{- range .labels }}
      - key: {{ .key }}
        operator: {{ .operator }}
      {{- end }}
  matchConditions:
    - name: not-kube-root-ca
      expression: >-
        request.kind.kind != 'ConfigMap' || !has(object.metadata.name) ||
        object.metadata.name != 'kube-root-ca.crt'
    - name: not-system-secret-types
      expression: >-
        request.kind.kind != 'Secret' || !has(object.type) ||
        !(object.type in ['kubernetes.io/service-account-token', 'helm.sh/release.v1', 'bootstrap.kubernetes.io/token'])
    {{- range .conditions }}
    - name: {{ .name }}
      expression: >-
        {{- .expression | nindent 8 }}
    {{- end }}
{{- end -}}
