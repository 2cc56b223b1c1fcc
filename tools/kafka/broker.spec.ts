import * as path from 'node:path';
import { clusterSizeFromEnv, clusterSizeOf, nodeProperties } from './broker';

const props = (text: string) => Object.fromEntries(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

describe('broker launcher configuration', () => {
  it('keeps a single broker as it was: node 1, its own quorum, one replica of everything', () => {
    const single = props(nodeProperties({ port: 9092, clusterSize: 1 }));
    expect(single).toMatchObject({
      'node.id': '1',
      'controller.quorum.voters': '1@127.0.0.1:9093',
      listeners: 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093',
      'default.replication.factor': '1',
      'min.insync.replicas': '1',
      'offsets.topic.replication.factor': '1',
      'transaction.state.log.replication.factor': '1',
      'transaction.state.log.min.isr': '1',
    });
    expect(single['log.dirs']).toBe(path.resolve(__dirname, '../../.cache/kafka/run-9092/data'));
    expect(single['replica.lag.time.max.ms']).toBeUndefined();
  });

  it('lays a cluster of three out as three voters on distinct ports and folders, replicating three times', () => {
    const nodes = [1, 2, 3].map((id) => props(nodeProperties({ port: 9092, clusterSize: 3 }, id)));
    expect(nodes.map((n) => n['node.id'])).toEqual(['1', '2', '3']);
    expect(nodes.map((n) => n['advertised.listeners'])).toEqual(['PLAINTEXT://127.0.0.1:9092', 'PLAINTEXT://127.0.0.1:9094', 'PLAINTEXT://127.0.0.1:9096']);
    expect(nodes.map((n) => n.listeners.split(',')[1])).toEqual(['CONTROLLER://127.0.0.1:9093', 'CONTROLLER://127.0.0.1:9095', 'CONTROLLER://127.0.0.1:9097']);
    expect(new Set(nodes.map((n) => n['controller.quorum.voters']))).toEqual(new Set(['1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097']));
    expect(new Set(nodes.map((n) => n['log.dirs'])).size).toBe(3);
    expect(nodes[1]['log.dirs']).toBe(path.resolve(__dirname, '../../.cache/kafka/cluster-9092/node-2/data'));
    for (const n of nodes) {
      expect(n).toMatchObject({
        'process.roles': 'broker,controller',
        'default.replication.factor': '3',
        'min.insync.replicas': '2',
        'offsets.topic.replication.factor': '3',
        'transaction.state.log.replication.factor': '3',
        'transaction.state.log.min.isr': '2',
        'unclean.leader.election.enable': 'false',
      });
    }
  });

  it('takes the cluster size from KAFKA_CLUSTER_SIZE unless told, and keeps SASL and an explicit data dir single', () => {
    expect(clusterSizeFromEnv({})).toBe(1);
    expect(clusterSizeFromEnv({ KAFKA_CLUSTER_SIZE: '3' })).toBe(3);
    expect(() => clusterSizeFromEnv({ KAFKA_CLUSTER_SIZE: 'three' })).toThrow(/KAFKA_CLUSTER_SIZE/);
    const before = process.env.KAFKA_CLUSTER_SIZE;
    process.env.KAFKA_CLUSTER_SIZE = '3';
    try {
      expect(clusterSizeOf({})).toBe(3);
      expect(clusterSizeOf({ clusterSize: 1 })).toBe(1);
      expect(clusterSizeOf({ dataDir: '/tmp/x' })).toBe(1);
      expect(clusterSizeOf({ sasl: { admin: { username: 'a', password: 'b' }, users: {} } })).toBe(1);
      expect(() => clusterSizeOf({ clusterSize: 3, sasl: { admin: { username: 'a', password: 'b' }, users: {} } })).toThrow(/single/);
    } finally {
      if (before === undefined) delete process.env.KAFKA_CLUSTER_SIZE;
      else process.env.KAFKA_CLUSTER_SIZE = before;
    }
  });
});
