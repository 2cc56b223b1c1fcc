import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '@compliance/platform';
import { SubjectRetentionQuery } from './subject-retention.query';

@ApiTags('subjects')
@Controller('subjects')
export class LifecycleController {
  constructor(private readonly query: SubjectRetentionQuery) {}

  @Get(':subjectRef/retention')
  @RequireRole('analyst')
  @ApiOkResponse({ description: "the subject's data per session and category, its due dates, purges and legal holds in force" })
  subject(@Param('subjectRef') subjectRef: string) {
    return this.query.view(subjectRef);
  }
}
