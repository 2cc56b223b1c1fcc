import { Module } from '@nestjs/common';
import { SignInController } from './sign-in.controller';
import { SignInThrottle } from './sign-in.throttle';

@Module({ controllers: [SignInController], providers: [SignInThrottle] })
export class SessionModule {}
