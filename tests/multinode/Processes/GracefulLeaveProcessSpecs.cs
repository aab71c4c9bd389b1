using System.Diagnostics;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.Tests.Multinode.Support;
using Xunit.Abstractions;

namespace DistCacheAkka.Tests.Multinode.Processes;

// A graceful leave of a real process under load: a seed and two workers as OS processes, four writers keep writing
// at Quorum (a bounded number of writes over a fixed key set), and one worker gets SIGTERM (coordinated shutdown:
// its shards are handed off with their entries, then it leaves and exits 0). A request may only be delayed or fail
// retriably (a client timeout, ConsistencyNotMet, or Unavailable from a shard still recovering), and the writers
// retry those; anything else fails the test. Afterwards every acknowledged write reads back with its last value.
// Every process is killed on dispose, also when the test fails.
public sealed class GracefulLeaveProcessSpecs(ITestOutputHelper output) : IDisposable
{
    private readonly NodeProcessGroup _nodes = new(FailoverProcessSpecs.TestNodeHocon, output);

    [Fact]
    public async Task Should_lose_no_acknowledged_write_when_a_worker_process_leaves_on_SIGTERM_under_load()
    {
        var seed = _nodes.Start("seed", null);
        await seed.WaitListeningAsync(TimeSpan.FromSeconds(60));
        var worker1 = _nodes.Start("worker", seed.Port);
        var worker2 = _nodes.Start("worker", seed.Port);
        await Task.WhenAll(worker1.WaitListeningAsync(TimeSpan.FromSeconds(60)), worker2.WaitListeningAsync(TimeSpan.FromSeconds(60)));

        await using var client = await DistCacheClient.ConnectAsync(new DistCacheClientOptions
        {
            SeedNodes = [seed.Endpoint],
            ConnectTimeout = TimeSpan.FromSeconds(60),
            RequestTimeout = TimeSpan.FromSeconds(3),
            ExtraHocon = "akka.loglevel = ERROR",
        });
        var access = (IClientProxyAccess)client;
        await ShardReadiness.WaitDataNodesAsync(client, 3, TimeSpan.FromSeconds(60));
        await ShardReadiness.WaitAllAllocatedAsync(client);

        var clock = Stopwatch.StartNew();
        var load = QuorumWriteLoad.Start(client, "leave", writers: 4, keys: 500, writesPerWriter: 4_000, TimeSpan.FromSeconds(120));
        await Eventually.HoldsAsync(() => load.Writes >= 1_000, TimeSpan.FromSeconds(60), "the writers under way");
        var sigterm = clock.Elapsed;
        worker2.Terminate();
        Assert.Equal(0, await worker2.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var exited = clock.Elapsed;
        await Eventually.HoldsAsync(async () => (await access.GetTopologyAsync()).DataNodes.All(a => !a.EndsWith($":{worker2.Port}", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "the worker removed from the data nodes");
        var atExit = load.Writes;
        await Eventually.HoldsAsync(() => load.Writes >= atExit + 1_000 || load.Finished, TimeSpan.FromSeconds(60), "writes to continue after the leave");
        await load.StopAsync(); // a non-retriable failure surfaces here

        var lost = await load.LostAsync(client);
        var keys = load.Acknowledged().Count;
        output.WriteLine($"SIGTERM at {sigterm.TotalSeconds:0.0} s, exit 0 after {(exited - sigterm).TotalSeconds:0.0} s; " +
                         $"{load.Writes} writes of {keys} keys acknowledged ({atExit} when it exited); retried: {load.RetrySummary()}");
        Assert.True(lost.Count == 0, $"{lost.Count} of {keys} acknowledged keys lost or stale, e.g. {string.Join(", ", lost.Take(5))}");
    }

    public void Dispose() => _nodes.Dispose();
}
