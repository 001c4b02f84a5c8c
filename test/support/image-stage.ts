import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative } from 'node:path';
import dockerignore from '@balena/dockerignore';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { ROOT } from './processes';

/** uid and gid of the `node` user of the official Node.js images. */
export const IMAGE_NODE_UID = 1000;

/** Folders of the base image a stage's commands write into. */
const BASE_IMAGE_DIRS = ['usr/local/bin'];

/** What a stage's instructions set, beside its files. */
interface StageConfig {
  /** Stands for `/` of the stage's image. */
  root: string;
  /** WORKDIR (in StagedImage: the folder it is in the staged tree). */
  workdir: string;
  env: Record<string, string>;
  user: string;
  entrypoint: string[];
  cmd: string[];
  /** The HEALTHCHECK command (exec form) and its options. */
  healthcheck?: { command: string[]; options: Record<string, string> };
}

export interface StagedImage extends StageConfig {
  healthcheck: NonNullable<StageConfig['healthcheck']>;
  /** An absolute path of the image, as it is in the staged tree. */
  path(imagePath: string): string;
}

interface Stage extends StageConfig {
  name: string;
}

/**
 * Lays out the file tree the Dockerfile's stages build, without Docker: each stage gets a folder
 * standing for its `/`, and its instructions run against it — COPY from the build context
 * (filtered by .dockerignore with Docker's own rules) or from another stage, RUN through `sh` with
 * the image's absolute paths pointed into the folder. `npm ci --omit=dev` is run once per lock
 * file and reused (hard links) from a cache under the temp folder; the build stage's full `npm ci`
 * is the checkout's own node_modules (same lock file). A RUN this cannot stage fails the build, as
 * it would in Docker.
 */
export function stageImage(into: string, dockerfile = join(ROOT, 'Dockerfile')): StagedImage {
  const parsed = DockerfileParser.parse(readFileSync(dockerfile, 'utf8'));
  // Reachable by the image's user, as `/` is.
  chmodSync(into, 0o755);
  const ignore = dockerignore().add(readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n'));
  const stages: Stage[] = [];
  let stage: Stage | undefined;
  const inStage = (s: Stage, p: string) => join(s.root, posix.resolve(s.workdir, p));

  for (const ins of parsed.getInstructions()) {
    const keyword = ins.getKeyword();
    const args = ins.getArguments().map((a) => a.getValue());
    if (keyword === 'ARG') continue;
    if (keyword === 'FROM') {
      const name = args[2] ?? String(stages.length);
      stage = { name, root: join(into, name), workdir: '/', env: {}, user: 'root', entrypoint: [], cmd: [] };
      for (const dir of BASE_IMAGE_DIRS) mkdirSync(join(stage.root, dir), { recursive: true });
      stages.push(stage);
      continue;
    }
    if (!stage) throw new Error(`${keyword} before FROM`);
    switch (keyword) {
      case 'LABEL':
      case 'EXPOSE':
        break;
      case 'WORKDIR':
        stage.workdir = posix.resolve(stage.workdir, args[0]);
        mkdirSync(join(stage.root, stage.workdir), { recursive: true });
        break;
      case 'ENV':
        for (const pair of args)
          stage.env[pair.slice(0, pair.indexOf('='))] = pair.slice(pair.indexOf('=') + 1);
        break;
      case 'USER':
        stage.user = args[0];
        break;
      case 'ENTRYPOINT':
        stage.entrypoint = execForm(ins);
        break;
      case 'CMD':
        stage.cmd = execForm(ins);
        break;
      case 'HEALTHCHECK':
        stage.healthcheck = healthcheckOf(ins);
        break;
      case 'COPY':
        copy(stage, ins, stages, ignore, inStage);
        break;
      case 'RUN':
        run(stage, ins.getArgumentsContent() ?? '');
        break;
      default:
        throw new Error(`The staged build does not know ${keyword}: add it to test/support/image-stage.ts`);
    }
  }
  const final = stages.at(-1)!;
  if (!final.healthcheck) throw new Error('The runtime stage has no HEALTHCHECK');
  return {
    root: final.root,
    workdir: join(final.root, final.workdir),
    env: final.env,
    user: final.user,
    entrypoint: final.entrypoint,
    cmd: final.cmd,
    healthcheck: final.healthcheck,
    path: (p) => join(final.root, p),
  };
}

function execForm(ins: Instruction): string[] {
  const content = ins.getArgumentsContent() ?? '';
  const parsed = JSON.parse(content) as unknown;
  if (!Array.isArray(parsed)) throw new Error(`${ins.getKeyword()} ${content}: use the exec (JSON) form`);
  return parsed as string[];
}

function healthcheckOf(ins: Instruction): { command: string[]; options: Record<string, string> } {
  const content = ins.getArgumentsContent() ?? '';
  const match = /^((?:--[\w-]+=\S+\s+)*)CMD\s+(\[.*\])\s*$/s.exec(content);
  if (!match) throw new Error(`HEALTHCHECK ${content}: expected [--option=value ...] CMD ["exec", "form"]`);
  const options = Object.fromEntries(
    match[1]
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map((o) => [o.slice(2, o.indexOf('=')), o.slice(o.indexOf('=') + 1)]),
  );
  return { command: JSON.parse(match[2]) as string[], options };
}

function copy(
  stage: Stage,
  ins: Instruction,
  stages: Stage[],
  ignore: ReturnType<typeof dockerignore>,
  inStage: (s: Stage, p: string) => string,
): void {
  const flags = Object.fromEntries(
    (ins as unknown as { getFlags(): { getName(): string; getValue(): string | null }[] })
      .getFlags()
      .map((f) => [f.getName(), f.getValue() ?? '']),
  );
  const words = ins.getArguments().map((a) => a.getValue());
  const dest = words.pop()!;
  const from = flags.from ? stages.find((s) => s.name === flags.from) : undefined;
  if (flags.from && !from) throw new Error(`COPY --from=${flags.from}: no such stage`);
  for (const source of words) {
    const src = from ? join(from.root, source) : join(ROOT, source);
    if (!from && (ignore.ignores(source) || !existsSync(src))) {
      throw new Error(`COPY ${source}: not in the build context`);
    }
    const target = dest.endsWith('/')
      ? join(inStage(stage, dest), posix.basename(source))
      : inStage(stage, dest);
    cpSync(src, target, {
      recursive: true,
      dereference: true,
      filter: (path) => from !== undefined || !ignore.ignores(relative(ROOT, path) || '.'),
    });
  }
}

/** Absolute image paths a RUN may name, and where they are in the staged tree. */
function pointIntoStage(stage: Stage, command: string): string {
  const roots = [stage.workdir, ...BASE_IMAGE_DIRS.map((d) => `/${d}`)]
    .filter((r) => r !== '/')
    .map((r) => r.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const out = command.replace(
    new RegExp(`(^|[\\s'"=>])(${roots.join('|')})(?=[/\\s'"]|$)`, 'g'),
    (_m, before: string, path: string) => `${before}${join(stage.root, path)}`,
  );
  // The official images' `node` user.
  return out.replace(/\bchown (-R )?node:node\b/g, `chown $1${IMAGE_NODE_UID}:${IMAGE_NODE_UID}`);
}

function run(stage: Stage, command: string): void {
  const cwd = join(stage.root, stage.workdir);
  const npmCi = /^npm ci\b(.*)$/.exec(command.trim());
  if (npmCi) {
    if (/--omit=dev\b/.test(npmCi[1])) {
      linkTree(productionModules(cwd, npmCi[1]), join(cwd, 'node_modules'));
    } else {
      symlinkSync(join(ROOT, 'node_modules'), join(cwd, 'node_modules'));
    }
    return;
  }
  execFileSync('sh', ['-ec', pointIntoStage(stage, command)], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), ...stage.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * `npm ci <flags>` of this package.json and lock file, made once and kept (read-only) under the
 * temp folder, keyed by their contents and the flags.
 */
function productionModules(cwd: string, flags: string): string {
  const key = createHash('sha256')
    .update(readFileSync(join(cwd, 'package.json')))
    .update(readFileSync(join(cwd, 'package-lock.json')))
    .update(flags)
    .update(process.version)
    .digest('hex')
    .slice(0, 16);
  const cache = join(tmpdir(), 'meridian-image-deps', key);
  const modules = join(cache, 'node_modules');
  if (existsSync(modules)) {
    utimesSync(cache, new Date(), new Date()); // in use: not stale
    return modules;
  }
  const work = `${cache}.${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  cpSync(join(cwd, 'package.json'), join(work, 'package.json'));
  cpSync(join(cwd, 'package-lock.json'), join(work, 'package-lock.json'));
  execFileSync('npm', ['ci', ...flags.trim().split(/\s+/), '--prefer-offline'], {
    cwd: work,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  execFileSync('chmod', ['-R', 'a-w', join(work, 'node_modules')]);
  try {
    renameSync(work, cache);
  } catch {
    rmSync(work, { recursive: true, force: true }); // another run made it first
  }
  forgetStaleInstalls(dirname(cache));
  return modules;
}

/** Installs of lock files nobody has staged for a day (each is some 400 MB). */
function forgetStaleInstalls(parent: string): void {
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const entry of readdirSync(parent)) {
    const path = join(parent, entry);
    if (statSync(path).mtimeMs < dayAgo) rmSync(path, { recursive: true, force: true });
  }
}

/** Copies a tree as hard links (cheap; the cached files are read-only, so sharing them is safe). */
function linkTree(from: string, to: string): void {
  rmSync(to, { recursive: true, force: true });
  mkdirSync(dirname(to), { recursive: true });
  execFileSync('cp', ['-al', from, to]);
}

/**
 * Makes the staged tree what the running container sees: owned by root (as copied) and, beyond
 * that, read-only for everyone.
 */
export function freezeStage(image: StagedImage): void {
  execFileSync('chmod', ['-R', 'a-w', image.workdir]);
}
