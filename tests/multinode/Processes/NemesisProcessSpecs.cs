using DistCacheAkka.Checker;
using Xunit.Abstractions;

namespace DistCacheAkka.Tests.Multinode.Processes;

// The short nemesis (issue 13): three CacheNode processes with R = 2, two clients each running two workers of a
// register workload (unique values, three Strong and three Quorum keys, and one write in twenty to a fresh key that
// nothing overwrites), and one cycle of faults: a 2 s SIGSTOP, a SIGSTOP until the node is downed (it must stop on
// resume) with a replacement, a SIGKILL of the oldest data node with a replacement, and a graceful leave. Every
// Strong key's history must be linearizable (not merely "unknown"), no acknowledged Quorum/Strong write may be
// lost, and the downed node must not keep running. bench/Nemesis runs the same for longer.
// Before issue 13's fixes it lost acknowledged writes in nearly every run (shards of a removed node left without a
// primary, new backups filled only at the next anti-entropy round, handoffs that left the only copy on a departing
// node) and some downed nodes ran on after SIGCONT as one-node clusters; bench/RESULTS.md, "Nemesis", has the runs.
public sealed class NemesisProcessSpecs(ITestOutputHelper output)
{
    [Fact]
    public async Task Should_keep_Strong_keys_linearizable_and_lose_no_acknowledged_write_under_pauses_kills_and_leaves()
    {
        var report = await NemesisRun.RunAsync(new NemesisOptions
        {
            Duration = TimeSpan.Zero, // one cycle
            ReplaceAfterLeave = false,
            Log = output.WriteLine,
        });
        output.WriteLine(report.Summary());

        Assert.True(report.Operations > 1_000, $"only {report.Operations} operations were recorded");
        Assert.Equal(0, report.Count("Strong", Linearizability.NotLinearizable));
        Assert.Equal(0, report.Count("Strong", Linearizability.Unknown));
        Assert.Equal(3, report.Verdicts.Count(v => v.Level == "Strong"));
        Assert.True(report.Durability.Passed, $"{report.Durability.Lost.Count} acknowledged writes lost");
        Assert.Equal(0, report.Durability.Unchecked);
        Assert.True(report.WriteOnceKeys > 20, $"only {report.WriteOnceKeys} write-once keys"); // keys nothing overwrites: read back or lost
        Assert.True(report.Durability.Acknowledged > 100, $"only {report.Durability.Acknowledged} acknowledged writes");
        Assert.Equal((1, 0), (report.DownedNodesStopped, report.DownedNodesStillRunning));
    }
}
