import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The machine a run measured, as recorded in the results. */
export interface MachineInfo {
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  os: string;
  node: string;
  /** 1-minute load average before the run started: other work on the machine skews every figure. */
  loadAverage1m: number;
}

/** Versions of recall and of the dependencies on the measured path. */
export type Versions = Record<string, string>;

const DEPENDENCIES = [
  '@grpc/grpc-js',
  '@zilliz/milvus2-sdk-node',
  '@electric-sql/pglite',
  'pg',
  'prom-client',
  'opossum',
  '@bufbuild/protobuf',
];

/** CPU, memory, OS and Node of this machine (no host names, no paths). */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpus: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverage1m: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}

/** recall's version and the installed versions of its main dependencies. */
export function versions(root: string): Versions {
  const read = (file: string) => {
    try {
      return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? 'unknown';
    } catch {
      return 'not installed';
    }
  };
  const out: Versions = { recall: read(path.join(root, 'package.json')) };
  for (const name of DEPENDENCIES) out[name] = read(path.join(root, 'node_modules', name, 'package.json'));
  return out;
}

/** A one-line description, e.g. for the summary's heading. */
export function describeMachine(machine: MachineInfo): string {
  return `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, load average ${machine.loadAverage1m} at start`;
}

/** A warning when the machine is already busy (load average above half its CPUs), else undefined. */
export function busyMachineWarning(machine: MachineInfo): string | undefined {
  return machine.loadAverage1m > machine.cpus / 2
    ? `the machine is busy (load average ${machine.loadAverage1m} on ${machine.cpus} CPUs): other processes compete with recall and skew the figures`
    : undefined;
}
