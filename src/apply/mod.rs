//! Staging, review and apply: the only way anything aigen generates is written.
