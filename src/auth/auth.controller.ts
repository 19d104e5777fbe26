import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpException,
  HttpStatus,
  Post,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCookieAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Actor } from '../common/actor';
import { CredentialsService } from './credentials.service';
import { LoginDto, SessionDto } from './login.dto';
import { Public } from './public.decorator';
import { RequestActor } from './request-actor';
import { SESSION_COOKIE } from './session-token';
import { SignInLimiter } from './sign-in-limiter';

/** Dashboard sign-in: trades the API key for an HttpOnly session cookie. */
@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly limiter: SignInLimiter,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Sign in to the dashboard with the API key (sets the session cookie)' })
  @ApiOkResponse({ type: SessionDto })
  @ApiTooManyRequestsResponse({ description: `Too many failed sign-ins from this address; see Retry-After` })
  async login(
    @Body() body: LoginDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SessionDto> {
    const ip = request.ip ?? 'unknown';
    const retryAfterMs = this.limiter.retryAfterMs(ip);
    if (retryAfterMs > 0) {
      response.setHeader('Retry-After', String(Math.ceil(retryAfterMs / 1000)));
      throw new HttpException(
        {
          statusCode: 429,
          error: 'too_many_sign_in_attempts',
          message: 'Too many failed sign-ins; try again later',
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    if (!(await this.credentials.isApiKey(body.apiKey))) {
      this.limiter.recordFailure(ip);
      throw new UnauthorizedException({
        statusCode: 401,
        error: 'invalid_api_key',
        message: 'Wrong API key',
      });
    }
    this.limiter.reset(ip);
    const session = await this.credentials.issueSession();
    response.cookie(SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: request.secure,
      path: '/',
      expires: session.expiresAt,
    });
    return { actor: 'dashboard', expiresAt: session.expiresAt };
  }

  @Public()
  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Sign out of the dashboard (ends the session on every instance, clears the cookie)',
  })
  async logout(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<void> {
    await this.credentials.endSession(request);
    response.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', path: '/' });
  }

  @Get('session')
  @ApiBearerAuth()
  @ApiCookieAuth()
  @ApiOperation({ summary: 'Who the current credentials belong to (401 when signed out)' })
  @ApiOkResponse({ type: SessionDto })
  session(@RequestActor() actor: Actor): SessionDto {
    return { actor };
  }
}
