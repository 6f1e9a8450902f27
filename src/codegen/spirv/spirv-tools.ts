// The Khronos SPIRV-Tools command-line programs, when installed: disassembly for dumps and
// validation for tests. Run without a shell; the module goes through a temporary file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface ToolRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `tool args… module.spv`; undefined when the tool is not installed. */
function runOnModule(tool: string, args: readonly string[], code: Uint8Array): ToolRun | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'ireets-spirv-'));
  try {
    const file = join(dir, 'module.spv');
    writeFileSync(file, code);
    const r = spawnSync(tool, [...args, file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (r.error) {
      if ((r.error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw r.error;
    }
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** SPIR-V assembly text of `code` from `spirv-dis`, or undefined when spirv-dis is not installed. */
export function disassembleSpirv(code: Uint8Array): string | undefined {
  const r = runOnModule('spirv-dis', [], code);
  if (!r) return undefined;
  if (r.status !== 0) throw new Error(`spirv-dis failed: ${r.stderr.trim()}`);
  return r.stdout;
}

export interface SpirvValidation {
  readonly valid: boolean;
  /** spirv-val's diagnostics (empty when valid). */
  readonly message: string;
}

/** Runs `spirv-val --target-env <env>`; undefined when spirv-val is not installed. */
export function validateSpirv(code: Uint8Array, targetEnv = 'vulkan1.1'): SpirvValidation | undefined {
  const r = runOnModule('spirv-val', ['--target-env', targetEnv], code);
  if (!r) return undefined;
  return { valid: r.status === 0, message: (r.stderr + r.stdout).trim() };
}
