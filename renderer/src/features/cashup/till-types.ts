/**
 * The till's business-day types, named for the renderer. Derived through the contract door
 * (api/contract.ts), so the renderer sees main only through its calls' Input/Output and events.
 */
import type { Events, Input, Output } from '../../api/contract.js';

export type TillState = Events['till.changed'];
/** What the drawer did for a float, paid-in, paid-out or no-sale. */
export type TillDrawer = Output<'cashup', 'open'>['drawer'];
export type CashReport = Output<'cashup', 'xReport'>;
export type TenderTotal = CashReport['tenders'][number];
export type CountedInput = Input<'cashup', 'zReport'>['counted'];
