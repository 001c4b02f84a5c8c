import { Controller, Get, Logger, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Protect } from '../auth/auth-policy.decorator';
import { requestIdOf } from '../http/request-id';
import { pageAsset } from './page-assets';
import { chartPage, dashboardPage, PAGE_HEADERS, refusalPage } from './page-html';
import { PageLinksService, pageFailure } from './page-links.service';

/**
 * Chart and dashboard pages, opened through signed links (generate_explore_link): the link is the
 * credential, so no token is asked for; the user it names is checked again on every opening.
 */
@Controller('pages')
@Protect('public')
export class PagesController {
  private readonly logger = new Logger(PagesController.name);

  constructor(private readonly links: PageLinksService) {}

  @Get(['charts/:id', 'dashboards/:id', 'explore/:id'])
  async page(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const requestId = requestIdOf(req);
    let status = 200;
    let html: string;
    try {
      const page = await this.links.open(req.url, {
        requestId,
        remoteAddr: req.ip,
        client: { userAgent: req.headers['user-agent'] },
      });
      html =
        page.kind === 'dashboard'
          ? dashboardPage(page.title, page.meta, page.cells)
          : chartPage(page.title, page.meta, page.cells[0]);
    } catch (err) {
      const failure = pageFailure(err);
      status = failure.status;
      html = refusalPage(status, failure.message);
      // The URL is not logged here: it carries the signature (the request log redacts it).
      this.logger.warn({ request_id: requestId, status, reason: failure.message }, 'Page refused');
    }
    void reply
      .status(status)
      .headers({ ...PAGE_HEADERS, 'X-Request-Id': requestId })
      .send(html);
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() reply: FastifyReply): void {
    const asset = pageAsset(file);
    if (!asset) {
      void reply.status(404).headers(PAGE_HEADERS).send(refusalPage(404, 'Not found'));
      return;
    }
    void reply
      .status(200)
      .headers({
        'Content-Type': asset.type,
        'Cache-Control': 'public, max-age=3600',
        'X-Content-Type-Options': 'nosniff',
      })
      .send(asset.body);
  }
}
