import { watchParent } from '../src/parent-watch';

test('the runtime stops once, when its parent process is gone (its ppid changes), and not before', async () => {
  let ppid = 4242;
  let orphaned = 0;
  const stop = watchParent(() => orphaned++, 10, () => ppid);
  await new Promise((resolve) => setTimeout(resolve, 60));
  expect(orphaned).toBe(0);
  ppid = 1; // re-parented to init: npx was killed
  await new Promise((resolve) => setTimeout(resolve, 60));
  expect(orphaned).toBe(1);
  await new Promise((resolve) => setTimeout(resolve, 60));
  expect(orphaned).toBe(1);
  stop();
});

test('a stopped watch never fires', async () => {
  let ppid = 7;
  let orphaned = 0;
  watchParent(() => orphaned++, 10, () => ppid)();
  ppid = 1;
  await new Promise((resolve) => setTimeout(resolve, 60));
  expect(orphaned).toBe(0);
});
