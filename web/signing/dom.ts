/** The DOM helpers live in web/shared, where the sender console uses them too. */
export * from '../shared/dom';
