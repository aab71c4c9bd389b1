using DistCacheAkka.CacheNode.Replication;
using DistCacheAkka.ClientProxy.Reads;
using DistCacheAkka.Messages.Hashing;

namespace DistCacheAkka.Tests.Unit.Hashing;

// Verifies ReplicaSets, the replica set rule shared by the node and the client: a shard's backups are the first R-1
// data nodes other than its primary in the shard's ring preference order, whatever the order the members were given
// in, and unreachable nodes stay in the sets. Then that the two sides agree: the node's ReplicaView (where a primary
// writes its copies) and the client's DataNodeView (where a client reads them when the primary is unreachable), built
// from the same members, give the same backups for every shard and every primary, and the same reachability. If one
// side ever computed replica sets its own way again, a client would read backups that never received the writes.
public class ReplicaSetsSpecs
{
    private const int Shards = 1024;
    private static readonly string[] FiveNodes = Enumerable.Range(1, 5).Select(i => $"akka.tcp://distcache@10.0.0.{i}:4053").ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(7)]
    public void Should_pick_the_first_R_minus_1_other_nodes_of_the_shards_ring_order(int replicationFactor)
    {
        var sets = ReplicaSets.Of(FiveNodes, [], 150, replicationFactor);
        var ring = new HashRing<string>(FiveNodes, 150);

        for (var shard = 0; shard < Shards; shard++)
        {
            var order = ring.PreferenceOrder(HashRing<string>.ShardPosition(shard));
            foreach (var primary in FiveNodes)
            {
                var backups = sets.BackupsFor(shard, primary);

                Assert.Equal(order.Where(n => n != primary).Take(replicationFactor - 1), backups);
                Assert.Equal(Math.Min(replicationFactor - 1, FiveNodes.Length - 1), backups.Length);
                Assert.DoesNotContain(primary, backups);
                Assert.Equal(backups.Length, backups.Distinct().Count());
            }
        }
    }

    [Fact]
    public void Should_give_the_same_sets_whatever_the_order_of_the_members()
    {
        var sorted = ReplicaSets.Of(FiveNodes, [], 150, 3);
        var shuffled = ReplicaSets.Of(FiveNodes.Reverse().Append(FiveNodes[2]), [], 150, 3); // a duplicate too

        Assert.Equal(FiveNodes, shuffled.Members);
        for (var shard = 0; shard < Shards; shard++)
            Assert.Equal(sorted.BackupsFor(shard, FiveNodes[0]), shuffled.BackupsFor(shard, FiveNodes[0]));
    }

    [Fact]
    public void Should_keep_unreachable_nodes_in_the_replica_sets()
    {
        var reachable = ReplicaSets.Of(FiveNodes, [], 150, 3);
        var marked = reachable.WithUnreachable(FiveNodes[1]).WithUnreachable(FiveNodes[3]);

        Assert.True(marked.HasUnreachable);
        Assert.True(marked.IsUnreachable(FiveNodes[1]));
        Assert.False(marked.IsUnreachable(FiveNodes[0]));
        for (var shard = 0; shard < Shards; shard++)
            Assert.Equal(reachable.BackupsFor(shard, FiveNodes[0]), marked.BackupsFor(shard, FiveNodes[0]));

        Assert.False(marked.WithReachable(FiveNodes[1]).WithReachable(FiveNodes[3]).HasUnreachable);
    }

    [Fact]
    public void Should_keep_a_mark_until_the_members_are_set_without_the_node()
    {
        var joining = FiveNodes[4];
        var sets = ReplicaSets.Of(FiveNodes.Take(4), [], 150, 3).WithUnreachable(joining); // reported before it is Up

        var up = sets.WithMembers(FiveNodes);
        Assert.True(up.IsUnreachable(joining));

        var removed = up.WithMembers(FiveNodes.Take(4));
        Assert.False(removed.IsUnreachable(joining));
        Assert.False(removed.WithMembers(FiveNodes).IsUnreachable(joining));
        // Marks for nodes that are not members are dropped when the members and marks are given together.
        Assert.False(ReplicaSets.Of(FiveNodes.Take(4), [joining], 150, 3).HasUnreachable);
    }

    [Fact]
    public void Should_give_the_same_sets_when_the_same_members_come_again_in_any_order()
    {
        var sets = ReplicaSets.Of(FiveNodes.Take(4), [], 150, 3);
        var again = sets.WithMembers([FiveNodes[3], FiveNodes[1], FiveNodes[0], FiveNodes[2], FiveNodes[1]], [FiveNodes[2]]);
        var grown = again.WithMembers(FiveNodes, []);
        var fresh = ReplicaSets.Of(FiveNodes, [], 150, 3);

        Assert.Equal(sets.Members, again.Members);
        Assert.True(again.IsUnreachable(FiveNodes[2]));
        Assert.Equal(fresh.Members, grown.Members);
        for (var shard = 0; shard < Shards; shard++)
        {
            Assert.Equal(sets.BackupsFor(shard, FiveNodes[0]), again.BackupsFor(shard, FiveNodes[0]));
            Assert.Equal(fresh.BackupsFor(shard, FiveNodes[4]), grown.BackupsFor(shard, FiveNodes[4]));
        }
    }

    [Fact]
    public void Should_refuse_a_replication_factor_below_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ReplicaSets.Empty(150, 0));
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 3)]
    [InlineData(3, 3)]
    [InlineData(2, 5)]
    [InlineData(3, 5)]
    [InlineData(4, 5)]
    public void Should_give_the_node_and_the_client_the_same_backups_for_every_shard(int replicationFactor, int nodes)
    {
        var members = FiveNodes.Take(nodes).ToArray();
        var node = new ReplicaView(members[0], 150, replicationFactor);
        node.SetMembers(members.Reverse());
        var client = new DataNodeView(150, replicationFactor);
        client.Update(members, []);

        Assert.Equal(node.Members, client.Members);
        // Every member as the primary, and a primary that already left (a shard may still run on it for a moment).
        foreach (var primary in members.Append("akka.tcp://distcache@10.0.0.99:4053"))
        {
            for (var shard = 0; shard < Shards; shard++)
                Assert.Equal(node.BackupsFor(shard, primary), client.BackupsFor(shard, primary));
        }
    }

    [Fact]
    public void Should_give_the_node_and_the_client_the_same_view_after_the_same_membership_changes()
    {
        // The node applies cluster events one at a time; the client receives the resulting topology in one report.
        var node = new ReplicaView(FiveNodes[0], 150, 3);
        node.SetMembers(FiveNodes.Take(3));
        node.MarkUnreachable(FiveNodes[2]);
        node.MarkUnreachable(FiveNodes[4]); // not Up yet
        node.SetMembers(FiveNodes);
        node.MarkUnreachable(FiveNodes[1]);
        node.MarkReachable(FiveNodes[1]);
        node.SetMembers(FiveNodes.Where(n => n != FiveNodes[3]));
        var client = new DataNodeView(150, 3);
        client.Update(node.Members, node.Members.Where(m => !node.IsReachable(m)));

        Assert.Equal(node.Members, client.Members);
        Assert.Equal([FiveNodes[2], FiveNodes[4]], client.Members.Where(client.IsUnreachable));
        foreach (var member in node.Members)
            Assert.Equal(node.IsReachable(member), !client.IsUnreachable(member));
        for (var shard = 0; shard < Shards; shard++)
            Assert.Equal(node.BackupsFor(shard, FiveNodes[0]), client.BackupsFor(shard, FiveNodes[0]));
    }
}
