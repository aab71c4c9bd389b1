namespace DistCacheAkka.Checker;

/// <summary>What an operation did to the register of its key.</summary>
public enum OperationKind
{
    /// <summary>Sets the register to <see cref="Operation.Value"/> (null: a removal).</summary>
    Write,

    /// <summary>Observed <see cref="Operation.Value"/> (null: the key was absent).</summary>
    Read,
}

/// <summary>How an operation ended, as far as its client knows.</summary>
public enum OperationOutcome
{
    /// <summary>Acknowledged: it took effect between its invocation and its completion.</summary>
    Ok,

    /// <summary>
    /// Timed out or ConsistencyNotMet: it may or may not have taken effect, at any time after its invocation
    /// (the checkers treat its completion as infinitely late). Definite failures are not recorded at all.
    /// </summary>
    Indeterminate,
}

/// <summary>
/// One recorded operation on one key. Times come from one monotonic clock for the whole history (any unit, only
/// their order matters). Write values must be unique per key, which keeps the search small and lets the durability
/// check tell writes apart.
/// </summary>
/// <param name="Process">The client process that ran it; a process has at most one operation in flight.</param>
/// <param name="Consistency">Free text such as "Strong" or "Quorum"; the checkers only filter on it.</param>
/// <param name="IsFinalRead">A read made after the workload and the faults stopped, used by the durability check.</param>
public sealed record Operation(
    int Process,
    string Key,
    OperationKind Kind,
    string? Value,
    long Invoke,
    long Complete,
    OperationOutcome Outcome,
    string Consistency = "Strong",
    bool IsFinalRead = false)
{
    public bool IsIndeterminate => Outcome == OperationOutcome.Indeterminate;

    public override string ToString() =>
        $"p{Process} {Kind} {Key}={Value ?? "<absent>"} [{Invoke}, {(IsIndeterminate ? "?" : Complete.ToString())}] {Consistency}"
        + (IsIndeterminate ? " indeterminate" : "");
}
