using DistCacheAkka.ClientProxy.Reads;
using DistCacheAkka.Messages;

namespace DistCacheAkka.Tests.Unit.Client;

// The client's merge of the nodes' topology reports (data path v2): newest report per node, data nodes from the
// freshest trusted report, unreachable from any trusted report or the client's own failure detection, placement from
// each node's own claims, and no trust in a node the others flag or no longer list.
public class ClientTopologySpecs
{
    private const string A = "akka.tcp://distcache@127.0.0.1:1";
    private const string B = "akka.tcp://distcache@127.0.0.1:2";
    private const string C = "akka.tcp://distcache@127.0.0.1:3";
    private static readonly string[] All = [A, B, C];

    private static NodeTopology Report(string reporter, long version, string[] nodes, string[] unreachable, params int[] shards) =>
        new(reporter, version, nodes, unreachable, shards);

    [Fact]
    public void Should_place_each_shard_on_the_node_that_reports_it_and_keep_only_newer_reports()
    {
        var topology = new ClientTopology(8);

        Assert.True(topology.Apply(Report(A, 5, All, [], 0, 1)));
        Assert.True(topology.Apply(Report(B, 1, All, [], 2, 3)));
        Assert.False(topology.Apply(Report(A, 4, All, [], 7))); // older than the one held

        Assert.Equal(All, topology.DataNodes);
        Assert.Equal([A, A, B, B, null, null, null, null], Enumerable.Range(0, 8).Select(topology.OwnerOf));
        Assert.Empty(topology.Unreachable);
        Assert.Null(topology.OwnerOf(8));
    }

    [Fact]
    public void Should_give_a_shard_claimed_twice_during_a_handoff_to_the_newer_claim()
    {
        var topology = new ClientTopology(4);
        topology.Apply(Report(A, 1, All, [], 0, 1));
        topology.Apply(Report(B, 1, All, [], 1)); // B started shard 1 before A's next report dropped it

        Assert.Equal(B, topology.OwnerOf(1));
        topology.Apply(Report(A, 2, All, [], 0));
        Assert.Equal(B, topology.OwnerOf(1));
        Assert.Equal(A, topology.OwnerOf(0));
    }

    [Fact]
    public void Should_mark_a_node_unreachable_when_a_trusted_report_says_so_or_the_client_lost_it()
    {
        var topology = new ClientTopology(4);
        topology.Apply(Report(A, 1, All, [], 0));
        topology.Apply(Report(B, 1, All, [], 1));
        topology.Apply(Report(C, 1, All, [], 2));

        topology.Apply(Report(A, 2, All, [C], 0));
        Assert.Equal([C], topology.Unreachable);
        Assert.False(topology.IsReachable(C));
        Assert.Equal(C, topology.OwnerOf(2)); // still its owner: backup reads need to know whose shard it is

        topology.MarkLost(B);
        Assert.Equal([B, C], topology.Unreachable.Order());
        topology.Apply(Report(B, 2, All, [C], 1)); // it speaks again: not lost
        Assert.Equal([C], topology.Unreachable);
    }

    [Fact]
    public void Should_not_believe_a_node_that_resumes_from_a_pause_seeing_everyone_unreachable()
    {
        var topology = new ClientTopology(4);
        topology.Apply(Report(A, 1, All, [], 0));
        topology.Apply(Report(B, 1, All, [], 1));
        topology.Apply(Report(C, 1, All, [], 2));
        topology.Apply(Report(A, 2, All, [C], 0));
        topology.Apply(Report(B, 2, All, [C], 1));

        topology.Apply(Report(C, 2, All, [A, B], 2)); // C resumes: the majority flags C, not A and B

        Assert.Equal([C], topology.Unreachable);
        Assert.Equal(All, topology.DataNodes);
    }

    [Fact]
    public void Should_drop_a_removed_node_and_ignore_its_last_report()
    {
        var topology = new ClientTopology(4);
        topology.Apply(Report(A, 1, All, [], 0));
        topology.Apply(Report(B, 1, All, [], 1));
        topology.Apply(Report(C, 1, All, [], 2));

        // A and B removed C; C, frozen meanwhile, resumes and reports once more before it stops.
        topology.Apply(Report(A, 2, [A, B], [], 0, 2));
        topology.Apply(Report(B, 2, [A, B], [], 1));
        topology.Apply(Report(C, 2, All, [], 2, 3));

        Assert.Equal([A, B], topology.DataNodes);
        Assert.Equal(A, topology.OwnerOf(2));
        Assert.Null(topology.OwnerOf(3));
        Assert.Empty(topology.Unreachable);
    }

    [Fact]
    public void Should_take_a_new_node_once_another_node_lists_it()
    {
        var topology = new ClientTopology(4);
        topology.Apply(Report(A, 1, [A], [], 0, 1, 2, 3));
        topology.Apply(Report(B, 1, [A, B], [], 3)); // B joined; A's view has not caught up yet

        Assert.Equal([A], topology.DataNodes); // B is listed by nobody else yet
        Assert.Equal(A, topology.OwnerOf(3));

        topology.Apply(Report(A, 2, [A, B], [], 0, 1, 2));
        Assert.Equal([A, B], topology.DataNodes);
        Assert.Equal(B, topology.OwnerOf(3));
    }

    [Fact]
    public void Should_keep_the_remaining_node_when_the_only_other_one_leaves()
    {
        var topology = new ClientTopology(4);
        topology.Apply(Report(A, 1, [A, B], [], 0, 1));
        topology.Apply(Report(B, 1, [A, B], [], 2, 3));

        topology.Apply(Report(A, 2, [A], [], 0, 1, 2, 3)); // B left; A took its shards
        topology.Apply(Report(B, 2, [], [A], 3)); // B's last word as it shuts down: it no longer counts itself

        Assert.Equal([A], topology.DataNodes);
        Assert.Empty(topology.Unreachable);
        Assert.Equal([A, A, A, A], Enumerable.Range(0, 4).Select(topology.OwnerOf));
    }
}
