import { RetentionHarness } from './retention-harness';
it('times', async () => {
  const h = await RetentionHarness.start('timing');
  await h.sweeps(1);
  let t = Date.now();
  await h.service.close();
  console.log('service close', Date.now() - t); t = Date.now();
  await h.reader.stop();
  console.log('reader', Date.now() - t); t = Date.now();
  await (h as any).producer.disconnect();
  console.log('producer', Date.now() - t);
});
