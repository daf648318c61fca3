/**
 * The customer book's types, named for the renderer. Derived through the contract door
 * (api/contract.ts), so the renderer sees main only through its calls' Input/Output.
 */
import type { Input, Output } from '../../api/contract.js';

export type CustomerPage = Output<'customers', 'list'>;
export type CustomerSummary = CustomerPage['items'][number];
export type CustomerProfile = Output<'customers', 'profile'>;
export type CustomerTag = CustomerSummary['tags'][number];
export type StaffRef = NonNullable<CustomerSummary['guide']>;
export type PurchaseView = CustomerProfile['purchases'][number];
export type NoteView = CustomerProfile['notes'][number];
export type ContactView = CustomerProfile['contacts'][number];
export type TaskPage = Output<'customers', 'tasks'>;
export type TaskView = TaskPage['items'][number];
export type RequestView = Output<'customers', 'bind'>;
export type GuideView = Output<'customers', 'guides'>['items'][number];
export type ResultsView = Output<'customers', 'results'>;
export type MonthResult = ResultsView['current'];
export type ContactChannel = Input<'customers', 'logContact'>['channel'];
export type ContactOutcome = Input<'customers', 'logContact'>['outcome'];
export type RevealPurpose = Input<'customers', 'revealPhone'>['purpose'];

export type CustomersTab = 'mine' | 'store' | 'pool' | 'tasks' | 'results';
export const CONTACT_CHANNELS: readonly ContactChannel[] = ['wechat', 'call', 'sms', 'visit'];
export const CONTACT_OUTCOMES: readonly ContactOutcome[] = ['reached', 'no_answer', 'follow_up', 'bought', 'declined'];
export const PAGE = 20;
