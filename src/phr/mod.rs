//! Prompt History Records: the audit trail of every AI exchange, approval and apply.
