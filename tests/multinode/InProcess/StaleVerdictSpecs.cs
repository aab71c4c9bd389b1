using Akka.Cluster;
using Akka.Remote.Transport;
using DistCacheAkka.Tests.Multinode.Support;

namespace DistCacheAkka.Tests.Multinode.InProcess;

// The mechanism behind the nemesis's data loss of 2026-12-02 (inferred: that run kept no logs), made deterministic
// with the throttler: b finds a unreachable (here a cut link; in the nemesis a 2 s pause of a), and is cut off from everybody before it can gossip a reachable again. The
// gossiped table then holds b's stale verdict "a unreachable" next to a's and c's "b unreachable": a cycle, which
// Akka's split brain resolver takes for an indirect connection and answers by downing a and b (with R = 2, every
// shard with both copies on a and b is gone). Our downing provider sets aside the verdicts of an observer that no
// link still reaches and downs only b; a and c stay Up.
public class StaleVerdictSpecs
{
    [Fact]
    public async Task Should_down_only_the_cut_off_node_and_not_the_healthy_node_its_stale_verdict_names()
    {
        // stable-after 8 s: the decision must come after c has observed b itself (cut 2), as in the nemesis, where the
        // frozen node was observed by everybody long before the decision.
        await using var cluster = await InProcessCluster.StartAsync(3, Partitions.ThrottlerHocon + "\nakka.cluster.split-brain-resolver.stable-after = 8s");
        var (a, b, c) = (InProcessCluster.SystemOf(cluster.Nodes[0]), InProcessCluster.SystemOf(cluster.Nodes[1]), InProcessCluster.SystemOf(cluster.Nodes[2]));
        var (addressA, addressB) = (Partitions.AddressOf(a), Partitions.AddressOf(b));
        var viewOfC = Akka.Cluster.Cluster.Get(c);
        var viewOfA = Akka.Cluster.Cluster.Get(a);

        // Cut 1: a <-> b. Wait until c holds b's verdict about a (a is unreachable in c's view, though c hears a).
        Assert.True(await Partitions.SetAsync(a, addressB, Blackhole.Instance));
        Assert.True(await Partitions.SetAsync(b, addressA, Blackhole.Instance));
        await Eventually.HoldsAsync(() => viewOfC.State.Unreachable.Any(m => m.Address == addressA),
            TimeSpan.FromSeconds(30), "c to learn b's verdict that a is unreachable");

        // Cut 2: b from c as well. b can no longer correct its verdict about a.
        await Partitions.IsolateAsync(b, [c]);

        await Eventually.HoldsAsync(() => viewOfC.State.Members.All(m => m.Address != addressB),
            TimeSpan.FromSeconds(60), "c to down and remove b");
        await b.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(60)); // b downed itself (minority) or learned it was downed

        Assert.False(a.WhenTerminated.IsCompleted, "a, healthy, was downed with b");
        Assert.Contains(viewOfC.State.Members, m => m.Address == addressA && m.Status == MemberStatus.Up);
        await Eventually.HoldsAsync(() => viewOfA.State.Unreachable.IsEmpty && viewOfC.State.Unreachable.IsEmpty && viewOfA.State.Members.Count == 2,
            TimeSpan.FromSeconds(30), "a and c to see each other as the whole, reachable cluster");
        await cluster.StopNodeAsync(cluster.Nodes[1]);
    }
}
