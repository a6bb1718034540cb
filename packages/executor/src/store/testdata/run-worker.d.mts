import type { ChildProcess } from "node:child_process";

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<WorkerExit>;
  go(): void;
  lines(): string[];
}

export function startWorker(script: string, args: string[]): Worker;

export function runTogether(script: string, args: string[], count: number): Promise<WorkerExit[]>;
