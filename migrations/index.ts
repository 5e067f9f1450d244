import type { MixedList } from 'typeorm';
import { Init1795590347240 } from './1795590347240-Init.js';
import { CommandIdempotency1795600000000 } from './1795600000000-CommandIdempotency.js';
import { Auth1795600100000 } from './1795600100000-Auth.js';
import { Outbox1795600200000 } from './1795600200000-Outbox.js';
import { AuthHardening1795600400000 } from './1795600400000-AuthHardening.js';
import { CollaboratorConsent1795600450000 } from './1795600450000-CollaboratorConsent.js';
import { DeviceCredentials1795600500000 } from './1795600500000-DeviceCredentials.js';
import { ChipMetadata1795600600000 } from './1795600600000-ChipMetadata.js';
import { Community1795600700000 } from './1795600700000-Community.js';

/** Every migration, oldest first. Released migrations are never edited; add a new one instead. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const MIGRATIONS: MixedList<Function> = [Init1795590347240, CommandIdempotency1795600000000, Auth1795600100000, Outbox1795600200000, AuthHardening1795600400000, CollaboratorConsent1795600450000,
  DeviceCredentials1795600500000, ChipMetadata1795600600000, Community1795600700000];
