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
import { InvalidInputError } from '../common/errors/domain-error';
import { CredentialsService, personName } from './credentials.service';
import { LoginDto, SessionDto } from './login.dto';
import { Public } from './public.decorator';
import { RequestActor } from './request-actor';
import { RequireRole } from './roles.decorator';
import { SESSION_COOKIE } from './session-token';
import { FailureKey, SignInLimiter } from './sign-in-limiter';
import { AcceptInviteDto, ChangePasswordDto, UserDto } from './users.dto';
import { UsersService } from './users.service';

/** Dashboard sign-in (a person's e-mail and password, or the service key) for an HttpOnly session cookie. */
@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly users: UsersService,
    private readonly limiter: SignInLimiter,
  ) {}

  @Public()
  @Post('auth/login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Sign in with e-mail and password (or the service key); sets the session cookie' })
  @ApiOkResponse({ type: SessionDto })
  @ApiTooManyRequestsResponse({
    description: 'Too many failed sign-ins from this address or for this account; see Retry-After',
  })
  async login(
    @Body() body: LoginDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SessionDto> {
    const keys: FailureKey[] = [`address:${request.ip ?? 'unknown'}`];
    if (body.email) keys.push(`account:${body.email.toLowerCase()}`);
    await this.assertNotLimited(keys, response);
    const actor = await this.signIn(body);
    if (!actor) {
      await this.limiter.recordFailure(...keys);
      throw new UnauthorizedException({
        statusCode: 401,
        error: 'invalid_credentials',
        message: body.apiKey !== undefined ? 'Wrong API key' : 'Wrong e-mail or password',
      });
    }
    await this.limiter.reset(...keys);
    const session = await this.credentials.issueSession(actor);
    response.cookie(SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: request.secure,
      path: '/',
      expires: session.expiresAt,
    });
    return { ...(await this.describe(actor)), expiresAt: session.expiresAt };
  }

  @Public()
  @Post('auth/logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Sign out of the dashboard (ends the session on every instance, clears the cookie)',
  })
  async logout(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<void> {
    await this.credentials.endSession(request);
    response.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', path: '/' });
  }

  @Public()
  @Post('auth/accept')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Accept an invitation: set your password (at least 12 characters), then sign in' })
  @ApiOkResponse({ type: UserDto })
  async accept(@Body() body: AcceptInviteDto): Promise<UserDto> {
    return UserDto.of(await this.users.acceptInvite(body.token, body.password));
  }

  @Get('auth/session')
  @RequireRole('viewer')
  @ApiBearerAuth()
  @ApiCookieAuth()
  @ApiOperation({ summary: 'Who the current credentials belong to (401 when signed out)' })
  @ApiOkResponse({ type: SessionDto })
  session(@RequestActor() actor: Actor): Promise<SessionDto> {
    return this.describe(actor);
  }

  @Get('api/me')
  @RequireRole('viewer')
  @ApiBearerAuth()
  @ApiCookieAuth()
  @ApiOperation({ summary: 'You: how you are signed in, your role, and the person' })
  @ApiOkResponse({ type: SessionDto })
  me(@RequestActor() actor: Actor): Promise<SessionDto> {
    return this.describe(actor);
  }

  @Post('api/me/password')
  @RequireRole('viewer')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiBearerAuth()
  @ApiCookieAuth()
  @ApiOperation({ summary: 'Change your password; all your sessions end (sign in again)' })
  async changePassword(@Body() body: ChangePasswordDto, @RequestActor() actor: Actor): Promise<void> {
    await this.users.changePassword(actor, body.currentPassword, body.newPassword);
  }

  private async signIn(body: LoginDto): Promise<Actor | undefined> {
    if (body.apiKey !== undefined) return this.credentials.actorOfKey(body.apiKey);
    if (!body.email || body.password === undefined)
      throw new InvalidInputError('email', 'sign in with email and password (or apiKey)');
    const user = await this.users.verify(body.email, body.password);
    return user && { kind: 'user', role: user.role, id: user.id, userId: user.id, name: personName(user) };
  }

  private async describe(actor: Actor): Promise<SessionDto> {
    const user = actor.userId ? { id: actor.userId, name: actor.name ?? '' } : undefined;
    return { actor: actor.kind, role: actor.role, user, hasPeople: await this.users.hasPeople() };
  }

  private async assertNotLimited(keys: FailureKey[], response: Response): Promise<void> {
    const waits = await Promise.all(keys.map((key) => this.limiter.retryAfterMs(key)));
    const retryAfterMs = Math.max(...waits);
    if (retryAfterMs <= 0) return;
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
}
