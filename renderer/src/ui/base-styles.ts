/*
 * The shared base stylesheets, in cascade order. main.tsx imports this module before anything
 * else, so every feature's and component's stylesheet comes after them and may build on them.
 */
import './base.css';
import './buttons.css';
import './helpers.css';
import './counter-form.css';
import './counter-layout.css';
import './counter-lists.css';
