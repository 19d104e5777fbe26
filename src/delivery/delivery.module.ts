import { Module } from '@nestjs/common';
import { StatusRecorder } from './status-recorder';
import { StatusTracker } from './status-tracker';
import { TrackingScheduler } from './tracking-scheduler';

/** Delivery status tracking (batched polling + webhook) and opt-outs by stop word. */
@Module({
  providers: [StatusRecorder, StatusTracker, TrackingScheduler],
  exports: [StatusTracker, StatusRecorder],
})
export class DeliveryModule {}
