import { Module } from '@nestjs/common';

@Module({})
export class Chat2DeskModule {}
