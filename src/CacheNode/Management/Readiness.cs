using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using DistCacheAkka.CacheNode.Memory;

namespace DistCacheAkka.CacheNode.Management;

/// <summary>The answer of <c>/health/ready</c>.</summary>
internal sealed record ReadinessReport(bool Ready, string Status, string Reason, int ShardsHosted, int ShardsRecovering);

/// <summary>
/// A node is ready when it is Up in the cluster, its warm-up has started every shard, and every shard it hosts has
/// finished recovery (its EntryActor registered as primary), and its GC is not thrashing. A node at its memory budget
/// stays ready: it evicts (or refuses writes under noeviction) and serves. Load balancers and orchestrators should route to, and
/// roll past, a node only when it is ready.
/// </summary>
internal static class Readiness
{
    public static async Task<ReadinessReport> CheckAsync(NodeHandle handle)
    {
        if (!handle.IsStarted)
            return new ReadinessReport(false, "Starting", "the actor system or the shard region is not started yet", 0, 0);
        var self = Akka.Cluster.Cluster.Get(handle.System!).SelfMember;
        if (self.Status == MemberStatus.Removed && !handle.System!.WhenTerminated.IsCompleted)
            return new ReadinessReport(false, "Joining", "the node has not joined the cluster yet", 0, 0);
        if (self.Status != MemberStatus.Up)
            return new ReadinessReport(false, self.Status.ToString(), $"the node is {self.Status}, not Up", 0, 0);
        if (handle.Gc?.PausedShare() is { } paused && paused > handle.GcThrashingPauseFraction)
            return new ReadinessReport(false, "Up",
                $"the GC paused the node {paused * 100:0}% of the last {GcPauseMonitor.Window.TotalSeconds:0} s (more than " +
                $"distcache.memory.gc-thrashing-pause-fraction = {handle.GcThrashingPauseFraction}): its heap is too full to work", 0, 0);
        if (!handle.WarmedUp)
            return new ReadinessReport(false, "Up", "waiting for a stable membership to start the shards", 0, 0);

        CurrentShardRegionState state;
        try
        {
            state = await handle.Region!.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(5));
        }
        catch (AskTimeoutException)
        {
            return new ReadinessReport(false, "Up", "the shard region did not answer within 5 s", 0, 0);
        }

        var context = handle.Context!;
        var recovering = state.Shards.Count(s => !context.Resolver.TryParse(s.ShardId, out var shard) || !context.Metrics.TryGetPrimary(shard, out _));
        return recovering == 0
            ? new ReadinessReport(true, "Up", "up, and every hosted shard has recovered", state.Shards.Count, 0)
            : new ReadinessReport(false, "Up", $"{recovering} of {state.Shards.Count} hosted shards are still recovering", state.Shards.Count, recovering);
    }
}
