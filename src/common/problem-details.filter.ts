import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PROBLEM_BASE, ProblemException, type ProblemDetails, type ProblemFieldError } from './problem-details';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const SLUGS: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  413: 'too-large',
  415: 'unsupported-media-type',
  422: 'validation',
  500: 'internal',
  503: 'unavailable',
};

/**
 * The one exception filter: every error leaves as application/problem+json (RFC 9457),
 * never with a stack trace; unexpected errors are logged with the request id.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request & { id?: string }>();
    const problem = this.toProblem(exception);
    problem.instance = req.originalUrl ?? req.url;
    if (req.id !== undefined) problem.request_id = String(req.id);
    if (problem.status >= 500) {
      this.logger.error({ err: exception, request_id: problem.request_id }, 'unhandled error');
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }

  private toProblem(exception: unknown): ProblemDetails {
    if (exception instanceof ProblemException) {
      const { type, ...rest } = exception.extra;
      return {
        type: type ?? `${PROBLEM_BASE}${SLUGS[exception.status] ?? 'error'}`,
        title: exception.title,
        status: exception.status,
        ...(exception.detail !== undefined ? { detail: exception.detail } : {}),
        ...rest,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      let detail: string | undefined;
      let errors: ProblemFieldError[] | undefined;
      if (typeof body === 'string') detail = body;
      else if (body && typeof body === 'object') {
        const b = body as { message?: unknown; errors?: ProblemFieldError[] };
        if (Array.isArray(b.errors)) errors = b.errors;
        if (typeof b.message === 'string') detail = b.message;
        else if (Array.isArray(b.message)) detail = b.message.join('; ');
      }
      const cause = (exception as { cause?: { type?: string } }).cause;
      if (cause?.type === 'entity.parse.failed') detail = 'the request body is not valid JSON';
      if (cause?.type === 'entity.too.large') detail = 'the request body is larger than the configured limit (JSON_BODY_LIMIT)';
      return {
        type: `${PROBLEM_BASE}${SLUGS[status] ?? 'error'}`,
        title: TITLES[status] ?? 'Error',
        status,
        ...(detail !== undefined ? { detail } : {}),
        ...(errors ? { errors } : {}),
      };
    }
    // body-parser and friends signal with a numeric status / type
    const e = exception as { status?: number; statusCode?: number; type?: string; message?: string };
    const status = e?.status ?? e?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const detail =
        e.type === 'entity.too.large'
          ? 'the request body is larger than the configured limit (JSON_BODY_LIMIT)'
          : e.type === 'entity.parse.failed'
            ? 'the request body is not valid JSON'
            : (e.message ?? undefined);
      return { type: `${PROBLEM_BASE}${SLUGS[status] ?? 'error'}`, title: TITLES[status] ?? 'Error', status, ...(detail ? { detail } : {}) };
    }
    return {
      type: `${PROBLEM_BASE}internal`,
      title: TITLES[HttpStatus.INTERNAL_SERVER_ERROR],
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      detail: 'an unexpected error occurred; the request id identifies it in the logs',
    };
  }
}
