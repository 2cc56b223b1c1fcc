import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

const PRODUCE_API_KEY = 0;

/**
 * A TCP proxy in front of one Kafka broker that can lose the answer to a produce request: the broker
 * receives and writes the records, the client never hears back and sees its connection closed, as
 * when a broker restarts between writing and answering. Clients reach it through `socketFactory`.
 */
export class LossyKafkaProxy {
  private losing = 0;
  private readonly sockets = new Set<Socket>();
  /** Produce answers swallowed so far. */
  lost = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(broker: string): Promise<LossyKafkaProxy> {
    const [host, port] = [broker.slice(0, broker.lastIndexOf(':')), Number(broker.slice(broker.lastIndexOf(':') + 1))];
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new LossyKafkaProxy(server, (server.address() as AddressInfo).port);
    server.on('connection', (client) => proxy.relay(client, host, port));
    return proxy;
  }

  /** The next `count` produce answers are dropped, each closing its connection. */
  loseProduceAnswers(count = 1): void {
    this.losing += count;
  }

  /** For kafkajs' `socketFactory`: every broker connection goes through the proxy. */
  readonly socketFactory = ({ onConnect }: { host: string; port: number; ssl: unknown; onConnect: () => void }): Socket => {
    const socket = connect({ host: '127.0.0.1', port: this.port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    return socket;
  };

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket, host: string, port: number): void {
    const upstream = connect({ host, port });
    const produceRequests = new Set<number>();
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
      s.on('error', () => undefined);
    }
    client.on(
      'data',
      frames((frame) => {
        // Request header: size, api key (int16), api version (int16), correlation id (int32).
        if (frame.readInt16BE(4) === PRODUCE_API_KEY) produceRequests.add(frame.readInt32BE(8));
        upstream.write(frame);
      }),
    );
    upstream.on(
      'data',
      frames((frame) => {
        // Response header: size, correlation id.
        const correlationId = frame.readInt32BE(4);
        if (produceRequests.delete(correlationId) && this.losing > 0) {
          this.losing--;
          this.lost++;
          client.destroy();
          return;
        }
        client.write(frame);
      }),
    );
  }
}

/** Splits a byte stream into whole size-prefixed Kafka frames. */
function frames(onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 4) {
      const size = pending.readInt32BE(0) + 4;
      if (pending.length < size) break;
      onFrame(pending.subarray(0, size));
      pending = pending.subarray(size);
    }
  };
}
