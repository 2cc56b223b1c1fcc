import { countSpooled, gatewayMetrics, setSpoolDepthFrom } from './gateway-metrics';

const depth = async () => (await gatewayMetrics.spoolDepth.get()).values[0]?.value;

describe('the spool depth gauge', () => {
  it('takes the count of the table when nothing was spooled meanwhile', async () => {
    await setSpoolDepthFrom(async () => 7);
    expect(await depth()).toBe(7);
  });

  it('keeps a webhook spooled while the table was counted, instead of setting the stale count', async () => {
    await setSpoolDepthFrom(async () => 10);
    countSpooled(); // spooled before the count started: the count includes it
    await setSpoolDepthFrom(async () => {
      countSpooled(); // spooled (and counted in the gauge) while the relay's count misses its row
      return 11;
    });
    expect(await depth()).toBe(12);
    await setSpoolDepthFrom(async () => 12);
    expect(await depth()).toBe(12);
  });
});
