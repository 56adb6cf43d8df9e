"""Operations: scheduled jobs and the heartbeats of the background processes."""
