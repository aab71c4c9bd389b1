using DistCacheAkka.Checker;

namespace DistCacheAkka.Nemesis;

/// <summary>A key's verdict with the consistency level its operations used.</summary>
public sealed record LevelVerdict(string Level, KeyVerdict Verdict);

/// <summary>What a nemesis run did and what the checkers found.</summary>
public sealed record NemesisReport(
    TimeSpan Elapsed,
    int Cycles,
    IReadOnlyList<string> Faults,
    long Operations,
    long Writes,
    long Reads,
    long Indeterminate,
    long Refused,
    long FailedReads,
    int WriteOnceKeys,
    IReadOnlyList<LevelVerdict> Verdicts,
    DurabilityReport Durability,
    int DownedNodesStopped,
    int DownedNodesStillRunning,
    long StartTimestamp,
    IReadOnlyList<string> LostWritePlacement)
{
    /// <summary>Nodes that stopped without an injected fault (downed by the resolver beside one), each replaced.</summary>
    public IReadOnlyList<string> Collateral { get; init; } = [];

    public int Count(string level, Linearizability verdict) => Verdicts.Count(v => v.Level == level && v.Verdict.Verdict == verdict);

    /// <summary>Every line a reader needs: operations, outcomes, per-level verdicts, durability and the faults.</summary>
    public string Summary()
    {
        var lines = new List<string>
        {
            $"nemesis: {Elapsed.TotalSeconds:0} s, {Cycles} fault cycle(s): {string.Join("; ", Faults)}",
            $"operations recorded: {Operations:N0} ({Writes:N0} writes attempted, {Reads:N0} reads attempted); " +
            $"indeterminate writes: {Indeterminate:N0}; refused writes (not applied): {Refused:N0}; failed reads: {FailedReads:N0}; " +
            $"write-once keys: {WriteOnceKeys:N0}",
        };
        foreach (var level in new[] { "Strong", "Quorum" })
            lines.Add($"{level} register keys checked: {Verdicts.Count(v => v.Level == level)}: " +
                      $"{Count(level, Linearizability.Linearizable)} linearizable, {Count(level, Linearizability.NotLinearizable)} not linearizable, " +
                      $"{Count(level, Linearizability.Unknown)} unknown");
        lines.AddRange(Verdicts.Where(v => v.Verdict.Verdict != Linearizability.Linearizable)
            .Select(v => $"  {v.Level} key {v.Verdict.Key}: {v.Verdict.Verdict}, {v.Verdict.Operations} ops, {v.Verdict.Steps:N0} steps: {v.Verdict.Explanation}"));
        lines.Add($"durability: {Durability.Acknowledged:N0} acknowledged Quorum/Strong writes: {Durability.ReadBack:N0} read back, " +
                  $"{Durability.Overwritten:N0} overwritten later, {Durability.Unchecked:N0} unchecked, {Durability.Lost.Count} lost");
        lines.AddRange(Durability.Lost.Take(40).Select((l, i) =>
            $"  lost: {l.Write.Consistency} write of {l.Write.Key} = {l.Write.Value}, invoked at {Seconds(l.Write.Invoke)} s, " +
            $"acknowledged at {Seconds(l.Write.Complete)} s (run clock), {LostWritePlacement[i]}; final read: {l.FinalValue ?? "<absent>"}"));
        if (Durability.Lost.Count > 0)
            lines.Add("  lost writes per shard: " + string.Join(", ", LostWritePlacement.GroupBy(p => p.Split(',', '(')[0].Trim())
                .OrderByDescending(g => g.Count()).Take(12).Select(g => $"{g.Key}: {g.Count()}")));
        lines.Add($"nodes downed while paused: {DownedNodesStopped} stopped on resume, {DownedNodesStillRunning} kept running");
        lines.Add($"nodes downed beside an injected fault (collateral, replaced): {Collateral.Count}" +
                  (Collateral.Count == 0 ? "" : $": {string.Join("; ", Collateral)}"));
        return string.Join(Environment.NewLine, lines);
    }

    private string Seconds(long timestamp) =>
        ((timestamp - StartTimestamp) / (double)System.Diagnostics.Stopwatch.Frequency).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
}
