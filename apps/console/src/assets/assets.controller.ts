import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../web/console-request';
import { CONSOLE_CSS } from './console-css';
import { CONSOLE_JS } from './console-script';

@Controller()
export class AssetsController {
  /** No icon: answered here so a browser's automatic request is not sent to sign in. */
  @Public()
  @Get('favicon.ico')
  favicon(@Res() res: Response): void {
    res.status(204).set('cache-control', 'public, max-age=86400').end();
  }

  @Public()
  @Get('assets/console.css')
  css(@Res() res: Response): void {
    res.type('text/css').set('cache-control', 'public, max-age=31536000, immutable').send(CONSOLE_CSS);
  }

  @Public()
  @Get('assets/console.js')
  js(@Res() res: Response): void {
    res.type('application/javascript').set('cache-control', 'public, max-age=31536000, immutable').send(CONSOLE_JS);
  }
}
