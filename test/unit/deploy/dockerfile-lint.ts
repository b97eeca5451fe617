/**
 * A small Dockerfile checker for Bulwark's own images (a project check, not hadolint): it parses
 * instructions into stages and reports rule violations as data.
 */

/** One parsed Dockerfile instruction. */
export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** One build stage: its FROM image, alias and instructions. */
export interface Stage {
  image: string;
  alias: string | undefined;
  instructions: Instruction[];
}

/** One rule violation. */
export interface Finding {
  rule: string;
  line: number;
  message: string;
}

/** Parses a Dockerfile into instructions, joining continuation lines and dropping comments. */
export function parseInstructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  let buf = '';
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (!buf && /^\s*#/.test(raw)) continue;
    if (!buf && !raw.trim()) continue;
    if (!buf) start = i + 1;
    if (buf && /^\s*#/.test(raw)) continue;
    const cont = /\\\s*$/.test(raw);
    buf += (buf ? ' ' : '') + raw.replace(/\\\s*$/, '').trim();
    if (cont) continue;
    const m = /^(\S+)\s*(.*)$/.exec(buf)!;
    out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!, line: start });
    buf = '';
  }
  return out;
}

/** Groups instructions into stages (instructions before the first FROM, such as ARG, are dropped). */
export function parseStages(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const ins of parseInstructions(text)) {
    if (ins.keyword === 'FROM') {
      const parts = ins.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      const asIdx = parts.findIndex((p) => p.toUpperCase() === 'AS');
      stages.push({ image: parts[0] ?? '', alias: asIdx >= 0 ? parts[asIdx + 1] : undefined, instructions: [ins] });
    } else if (stages.length) {
      stages[stages.length - 1]!.instructions.push(ins);
    }
  }
  return stages;
}

const EXEC_FORM = /^\[\s*".*"\s*\]$/;
const ROOT_USERS = new Set(['root', '0', '0:0', 'root:root']);

/** Options: the entrypoint the runtime stage must declare (exec form, as an array). */
export interface LintOptions {
  entrypoint?: string[];
}

/** Lints a Dockerfile against Bulwark's image rules; returns every violation found. */
export function lintDockerfile(text: string, opts: LintOptions = {}): Finding[] {
  const findings: Finding[] = [];
  const add = (rule: string, line: number, message: string) => findings.push({ rule, line, message });
  const stages = parseStages(text);
  if (stages.length < 2) add('multi-stage', 1, 'use a build stage and a separate runtime stage');
  const aliases = new Set<string>();
  for (const s of stages) {
    const from = s.instructions[0]!;
    if (!aliases.has(s.image)) {
      const tag = /^[^@]+@sha256:[0-9a-f]{64}$/.test(s.image) ? 'digest' : (/:([^/:]+)$/.exec(s.image)?.[1] ?? '');
      if (!tag) add('from-pinned', from.line, `FROM ${s.image} has no tag; pin a version such as node:20.19-bookworm-slim`);
      else if (tag === 'latest') add('no-latest', from.line, `FROM ${s.image} uses latest; pin a version`);
    }
    if (s.alias) aliases.add(s.alias);
    for (const ins of s.instructions) {
      if (/\blatest\b/.test(ins.args) && ins.keyword !== 'FROM') add('no-latest', ins.line, `${ins.keyword} mentions latest; pin versions`);
      if (ins.keyword === 'ADD') add('no-add', ins.line, 'use COPY instead of ADD');
      if (ins.keyword === 'RUN' && /\bnpm\s+(install|i)\b/.test(ins.args)) add('npm-ci', ins.line, 'use npm ci (lockfile-exact) instead of npm install');
      if ((ins.keyword === 'ENTRYPOINT' || ins.keyword === 'CMD') && !EXEC_FORM.test(ins.args.trim())) {
        add('exec-form', ins.line, `${ins.keyword} must use the exec form ["..."]; the shell form needs /bin/sh`);
      }
    }
  }
  const runtime = stages[stages.length - 1];
  if (!runtime) return findings;
  const rline = runtime.instructions[0]!.line;
  if (!/^gcr\.io\/distroless\//.test(runtime.image)) add('no-shell', rline, `runtime stage ${runtime.image} is not distroless; it would ship a shell`);
  for (const ins of runtime.instructions) if (ins.keyword === 'RUN') add('no-shell', ins.line, 'RUN in the runtime stage needs a shell; do the work in an earlier stage');
  const users = runtime.instructions.filter((i) => i.keyword === 'USER');
  const user = users[users.length - 1];
  if (!user) add('non-root', rline, 'the runtime stage must set USER to a non-root user (65532:65532)');
  else if (ROOT_USERS.has(user.args.trim())) add('non-root', user.line, `USER ${user.args} is root`);
  checkProductionDeps(stages, runtime, add);
  if (opts.entrypoint) {
    const ep = runtime.instructions.filter((i) => i.keyword === 'ENTRYPOINT').pop();
    const got = ep && EXEC_FORM.test(ep.args.trim()) ? (JSON.parse(ep.args) as string[]) : undefined;
    if (!got || JSON.stringify(got) !== JSON.stringify(opts.entrypoint)) {
      add('entrypoint', ep?.line ?? rline, `ENTRYPOINT must be ${JSON.stringify(opts.entrypoint)}, got ${ep?.args ?? 'none'}`);
    }
  }
  return findings;
}

/** node_modules in the runtime stage must come from a stage that ran `npm ci --omit=dev`. */
function checkProductionDeps(stages: Stage[], runtime: Stage, add: (rule: string, line: number, message: string) => void): void {
  const copies = runtime.instructions.filter((i) => i.keyword === 'COPY' && /node_modules/.test(i.args));
  if (!copies.length) {
    add('prod-deps', runtime.instructions[0]!.line, 'the runtime stage must copy node_modules from a stage that ran npm ci --omit=dev');
    return;
  }
  for (const c of copies) {
    const from = /--from=(\S+)/.exec(c.args)?.[1];
    const src = stages.find((s) => s.alias === from);
    const ok = src?.instructions.some((i) => i.keyword === 'RUN' && /\bnpm\s+ci\b/.test(i.args) && /--omit=dev\b/.test(i.args));
    if (!ok) add('prod-deps', c.line, `node_modules is copied from ${from ?? 'the build context'}, which did not run npm ci --omit=dev`);
  }
}
