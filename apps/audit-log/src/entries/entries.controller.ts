import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { RequireRole } from '@compliance/platform';
import { EntriesQueryDto, ExportQueryDto } from './entries.dto';
import { EntriesService } from './entries.service';
import { CSV_COLUMNS, toCsvLine, toJsonLine } from './entry-rows';

@ApiTags('audit')
@Controller('audit')
export class EntriesController {
  constructor(private readonly entries: EntriesService) {}

  /** Entries in chain order, filtered; follow `nextCursor` for the next page. */
  @Get('entries')
  @RequireRole('auditor')
  @ApiOkResponse({ description: '{ entries, nextCursor }' })
  list(@Query() q: EntriesQueryDto) {
    const { cursor, limit, ...filter } = q;
    return this.entries.page(filter, cursor, limit ?? 100);
  }

  /** The whole (filtered) trail as JSON lines or CSV, streamed chunk by chunk with backpressure. */
  @Get('export')
  @RequireRole('auditor')
  @ApiProduces('application/x-ndjson', 'text/csv')
  async export(@Query() q: ExportQueryDto, @Res() res: ServerResponse): Promise<void> {
    const { format = 'jsonl', ...filter } = q;
    const csv = format === 'csv';
    res.statusCode = 200;
    res.setHeader('Content-Type', csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="audit-trail.${format}"`);
    let closed = false;
    res.on('close', () => (closed = true));
    if (csv) res.write(`${CSV_COLUMNS.join(',')}\r\n`);
    try {
      for await (const rows of this.entries.stream(filter)) {
        if (closed) return;
        const text = rows.map(csv ? toCsvLine : toJsonLine).join('');
        if (!res.write(text)) await drained(res);
      }
      res.end();
    } catch (err) {
      // Headers are gone already: the only honest signal left is an aborted response.
      res.destroy(err as Error);
    }
  }
}

/** Resolves when the client can take more, or has gone away (then the loop stops). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
