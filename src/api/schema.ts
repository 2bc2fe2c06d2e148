import { builder } from './builder.js';
import './types/activity.js';
import './types/session.js';
import './types/platform.js';
import './types/verbs.js';
import './types/subscription.js';

export const schema = builder.toSchema({ sortSchema: false });
