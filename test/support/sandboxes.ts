import * as fs from 'node:fs';

/** Threads of this process (Linux): each function's worker thread is one. */
export function threadCount(): number {
  return fs.readdirSync('/proc/self/task').length;
}

/** Child processes of this process (Linux): each function's child process is one. */
export function childCount(): number {
  return fs.readdirSync('/proc/self/task')
    .flatMap((task) => fs.readFileSync(`/proc/self/task/${task}/children`, 'utf8').split(' ').filter(Boolean)).length;
}

/** The functions' sandboxes, whichever kind the local runtime chose (worker threads or child processes). */
export function sandboxCount(): number {
  return threadCount() + childCount();
}
