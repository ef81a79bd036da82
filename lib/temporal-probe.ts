/** The part of a Temporal connection (client `Connection` or worker `NativeConnection`) the probe uses. */
export interface ProbeableConnection {
  withDeadline<R>(deadline: number | Date, fn: () => Promise<R>): Promise<R>;
  workflowService: { describeNamespace(request: { namespace: string }): Promise<unknown> };
}

/**
 * Whether Temporal answers for `namespace` now: the frontend is reachable, its persistence answers and the
 * namespace exists. A bare TCP or gRPC health check would pass while the namespace is missing, and every
 * call would then fail. Never throws.
 */
export async function temporalAnswers(
  connection: ProbeableConnection,
  namespace: string,
  timeoutMs = 2_000,
): Promise<boolean> {
  try {
    await connection.withDeadline(Date.now() + timeoutMs, () =>
      connection.workflowService.describeNamespace({ namespace }),
    );
    return true;
  } catch {
    return false;
  }
}
