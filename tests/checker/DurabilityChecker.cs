namespace DistCacheAkka.Checker;

/// <summary>An acknowledged write that neither the final read returned nor any later write replaced.</summary>
public sealed record LostWrite(Operation Write, string? FinalValue);

/// <summary>What the durability check found over every acknowledged write it was asked to judge.</summary>
/// <param name="Acknowledged">Acknowledged writes judged.</param>
/// <param name="ReadBack">Of those, the ones the key's final read returned.</param>
/// <param name="Overwritten">Of those, the ones another write of the same key may have replaced (invoked later, or overlapping).</param>
/// <param name="Unchecked">Of those, the ones whose key has no successful final read (nothing is claimed).</param>
public sealed record DurabilityReport(int Acknowledged, int ReadBack, int Overwritten, int Unchecked, IReadOnlyList<LostWrite> Lost)
{
    public bool Passed => Lost.Count == 0;
}

/// <summary>
/// Every acknowledged write at a durable level (Quorum and Strong by default) must be either read back by the
/// key's final read (made after the faults stopped) or possibly overwritten: some other write of the same key, at
/// any level, acknowledged or indeterminate, may take effect after it — one invoked after it, or one still running
/// when it was invoked (they overlap, so either order is linearizable). A write that is neither was lost.
/// <para>Not guaranteed: "overwritten" is generous (an overlapping write counts even if the rest of the history
/// forces it first); the linearizability checker judges orders. With several final reads of a key the latest-invoked
/// one is used.</para>
/// </summary>
public static class DurabilityChecker
{
    private static readonly string[] DurableLevels = { "Quorum", "Strong" };

    public static DurabilityReport Check(IEnumerable<Operation> history, IReadOnlyCollection<string>? durableLevels = null)
    {
        var levels = durableLevels ?? DurableLevels;
        var all = history.ToList();
        var finalReads = all.Where(o => o is { IsFinalRead: true, Kind: OperationKind.Read, Outcome: OperationOutcome.Ok })
            .GroupBy(o => o.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.MaxBy(o => o.Invoke)!, StringComparer.Ordinal);
        var writesByKey = all.Where(o => o.Kind == OperationKind.Write)
            .GroupBy(o => o.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

        int acknowledged = 0, readBack = 0, overwritten = 0, @unchecked = 0;
        var lost = new List<LostWrite>();
        foreach (var write in all.Where(o => o is { Kind: OperationKind.Write, Outcome: OperationOutcome.Ok }
                                              && levels.Contains(o.Consistency)))
        {
            acknowledged++;
            if (!finalReads.TryGetValue(write.Key, out var final))
                @unchecked++;
            else if (final.Value == write.Value)
                readBack++;
            else if (writesByKey[write.Key].Any(w => !ReferenceEquals(w, write) && MayFollow(w, write)))
                overwritten++;
            else
                lost.Add(new LostWrite(write, final.Value));
        }
        return new DurabilityReport(acknowledged, readBack, overwritten, @unchecked, lost);
    }

    /// <summary>Whether <paramref name="other"/> may take effect after <paramref name="write"/>: it did not complete
    /// before <paramref name="write"/> was invoked (an indeterminate write completes infinitely late).</summary>
    private static bool MayFollow(Operation other, Operation write) =>
        other.Invoke > write.Invoke || other.IsIndeterminate || other.Complete > write.Invoke;
}
