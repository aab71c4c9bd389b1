using Akka.Actor;
using Akka.TestKit.Xunit2;
using DistCacheAkka.CacheNode.DataPlane;
using DistCacheAkka.CacheNode.Entries;
using DistCacheAkka.CacheNode.Memory;
using DistCacheAkka.CacheNode.Stats;
using DistCacheAkka.CacheNode.Telemetry;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.DataPlane;
using DistCacheAkka.Messages.Hashing;
using DistCacheAkka.Messages.Serialization;

namespace DistCacheAkka.Tests.Unit.DataPlane;

// The data plane's direct path (distcache.data-plane.direct): commands whose shard runs on the node go from the
// connection straight to their EntryActor, the rest to the gateway; the EntryActors' replies are gathered into one
// frame per turn of the write loop (cut at 256), keep their command's id, and a command whose actor never answers is
// forgotten after its envelope's timeout. Then the same over a real loopback connection.
public class DirectCommandsSpecs : TestKit, IDisposable
{
    private const int Limit = 64 * 1024;
    private static readonly ShardResolver Resolver = new(1024);
    private readonly NodeTelemetry _telemetry = new(new NodeMetrics(), new MemoryBudget(1 << 20, EvictionPolicy.Lru, 5, TimeSpan.FromSeconds(1)));
    private readonly LocalShards _local = new(1024);
    private readonly List<IGatheredMessage> _queued = [];

    public DirectCommandsSpecs()
        : base("akka.loglevel = WARNING\n" + CacheProtocolSerializer.Hocon)
    {
    }

    void IDisposable.Dispose()
    {
        _telemetry.Dispose();
        Dispose();
    }

    private static readonly string LocalKey = "local";
    private static readonly string OtherKey = Enumerable.Range(0, 100).Select(i => $"other{i}").First(k => Resolver.ShardOf(k) != Resolver.ShardOf(LocalKey));

    private DirectCommands NewDirect() => new(source =>
    {
        lock (_queued)
            _queued.Add(source);
        return true;
    }, _telemetry);

    [Fact]
    public void Should_tell_local_commands_to_their_entry_actor_and_leave_the_rest_for_the_gateway()
    {
        var entry = CreateTestProbe();
        var connection = CreateTestProbe();
        _local.Running(Resolver.ShardOf(LocalKey), entry.Ref);
        var direct = NewDirect();
        var requests = new CoalescedRequests(TimeSpan.FromSeconds(5),
            [new CorrelatedCommand(1, new Get(LocalKey)), new CorrelatedCommand(2, new Get(OtherKey)), new CorrelatedCommand(3, new Remove(LocalKey))]);

        var rest = direct.Route(requests, _local, Resolver, connection.Ref, TimeSpan.FromMinutes(1));

        Assert.Equal([2L], rest!.Commands.Select(c => c.Id));
        Assert.Equal(requests.Timeout, rest.Timeout);
        var first = entry.ExpectMsg<Routed>();
        Assert.Equal(connection.Ref, entry.LastSender);
        Assert.IsType<Get>(first.Command);
        Assert.IsType<Remove>(entry.ExpectMsg<Routed>().Command);
        Assert.Equal(2, direct.InFlight);

        // Nothing local: the envelope itself goes on; all local: nothing left.
        var others = new CoalescedRequests(TimeSpan.FromSeconds(5), [new CorrelatedCommand(4, new Get(OtherKey))]);
        Assert.Same(others, direct.Route(others, _local, Resolver, connection.Ref, TimeSpan.FromMinutes(1)));
        Assert.Null(direct.Route(new CoalescedRequests(TimeSpan.FromSeconds(5), [new CorrelatedCommand(5, new Get(LocalKey))]),
            _local, Resolver, connection.Ref, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void Should_gather_replies_into_one_frame_per_turn_with_their_commands_ids()
    {
        var entry = CreateTestProbe();
        _local.Running(Resolver.ShardOf(LocalKey), entry.Ref);
        var direct = NewDirect();
        direct.Route(new CoalescedRequests(TimeSpan.FromSeconds(5),
            [new CorrelatedCommand(10, new Get(LocalKey)), new CorrelatedCommand(11, new Get(LocalKey)), new CorrelatedCommand(12, new Get(LocalKey))]),
            _local, Resolver, TestActor, TimeSpan.FromMinutes(1));
        var routed = Enumerable.Range(0, 3).Select(_ => entry.ExpectMsg<Routed>()).ToList();

        direct.Complete(new RoutedReply(routed[1].Id, new NotFound(LocalKey)));
        direct.Complete(new RoutedReply(routed[0].Id, new NotFound(LocalKey)));
        Assert.Single(_queued); // one frame queued for both

        var frame = Assert.IsType<CoalescedReplies>(direct.Take());
        Assert.Equal([11L, 10L], frame.Replies.Select(r => r.Id));
        Assert.Null(direct.Take()); // nothing more

        direct.Complete(new RoutedReply(routed[2].Id, new NotFound(LocalKey)));
        Assert.Equal(2, _queued.Count); // the next reply queues the next frame
        Assert.Equal([12L], Assert.IsType<CoalescedReplies>(direct.Take()).Replies.Select(r => r.Id));
        Assert.Equal(0, direct.InFlight);
    }

    [Fact]
    public void Should_cut_a_frame_at_256_replies_and_queue_the_rest()
    {
        var entry = CreateTestProbe();
        _local.Running(Resolver.ShardOf(LocalKey), entry.Ref);
        var direct = NewDirect();
        direct.Route(new CoalescedRequests(TimeSpan.FromSeconds(5),
            Enumerable.Range(1, 300).Select(i => new CorrelatedCommand(i, new Get(LocalKey))).ToList()), _local, Resolver, TestActor, TimeSpan.FromMinutes(1));
        foreach (var routed in Enumerable.Range(0, 300).Select(_ => entry.ExpectMsg<Routed>()))
            direct.Complete(new RoutedReply(routed.Id, new NotFound(LocalKey)));
        Assert.Single(_queued);

        Assert.Equal(256, Assert.IsType<CoalescedReplies>(direct.Take()).Replies.Count);
        Assert.Equal(2, _queued.Count);
        Assert.Equal(44, Assert.IsType<CoalescedReplies>(direct.Take()).Replies.Count);
        Assert.Null(direct.Take());
    }

    [Fact]
    public void Should_forget_an_unanswered_command_after_its_timeout_and_ignore_its_late_answer()
    {
        var entry = CreateTestProbe();
        _local.Running(Resolver.ShardOf(LocalKey), entry.Ref);
        var direct = NewDirect();
        direct.Route(new CoalescedRequests(TimeSpan.FromMilliseconds(50),
            [new CorrelatedCommand(1, new Get(LocalKey)), new CorrelatedCommand(2, new Get(LocalKey))]), _local, Resolver, TestActor, TimeSpan.FromMinutes(1));
        var first = entry.ExpectMsg<Routed>();
        var second = entry.ExpectMsg<Routed>();

        Assert.Equal(0, direct.Expire(System.Diagnostics.Stopwatch.GetTimestamp()));
        Assert.Equal(2, direct.Expire(System.Diagnostics.Stopwatch.GetTimestamp() + System.Diagnostics.Stopwatch.Frequency));

        direct.Complete(new RoutedReply(first.Id, new NotFound(LocalKey)));
        direct.Complete(new RoutedReply(second.Id, new Status.Failure(new InvalidOperationException("x"))));
        Assert.Empty(_queued);
        Assert.Equal(0, direct.InFlight);
    }

    [Fact]
    public void Should_answer_nothing_for_a_failure_and_forget_the_command()
    {
        var entry = CreateTestProbe();
        _local.Running(Resolver.ShardOf(LocalKey), entry.Ref);
        var direct = NewDirect();
        direct.Route(new CoalescedRequests(TimeSpan.FromSeconds(5), [new CorrelatedCommand(1, new Get(LocalKey))]), _local, Resolver, TestActor, TimeSpan.FromMinutes(1));

        direct.Complete(new RoutedReply(entry.ExpectMsg<Routed>().Id, new Status.Failure(new InvalidOperationException("x"))));

        Assert.Empty(_queued); // the client's own timeout reports it, as on the gateway's path
        Assert.Equal(0, direct.InFlight);
    }

    [Fact]
    public void Should_keep_a_newer_entry_actor_when_an_older_one_of_the_shard_stops()
    {
        var shard = Resolver.ShardOf(LocalKey);
        var older = CreateTestProbe();
        var newer = CreateTestProbe();
        _local.Running(shard, older.Ref);
        _local.Running(shard, newer.Ref);

        _local.Stopped(shard, older.Ref);
        Assert.True(_local.TryGet(shard, out var current));
        Assert.Equal(newer.Ref, current);

        _local.Stopped(shard, newer.Ref);
        Assert.False(_local.TryGet(shard, out _));
        Assert.False(_local.TryGet(-1, out _)); // a command without a shard (stats) is never local
    }

    [Fact]
    public async Task Should_serve_a_local_command_over_a_connection_without_the_gateway()
    {
        var gateway = CreateTestProbe();
        var entry = CreateTestProbe();
        _local.Running(Resolver.ShardOf(LocalKey), entry.Ref);
        var serializer = new DataPlaneSerializer(Sys);
        using var listener = DataPlaneListener.Start(Sys, gateway.Ref, new DataPlaneSettings(true, "127.0.0.1", 0, Limit, null),
            new DirectPath(_local, Resolver, _telemetry)) ?? throw new InvalidOperationException("the listener did not start");
        await using var client = await DataPlaneTestClient.ConnectAsync(listener.Port, Limit, serializer);

        client.Connection.Send(new CoalescedRequests(TimeSpan.FromSeconds(5), [new CorrelatedCommand(7, new Get(LocalKey)), new CorrelatedCommand(8, new Get(OtherKey))]));

        var routed = await entry.ExpectMsgAsync<Routed>();
        entry.LastSender.Tell(new RoutedReply(routed.Id, new NotFound(LocalKey)));
        var forGateway = await gateway.ExpectMsgAsync<CoalescedRequests>();
        Assert.Equal([8L], forGateway.Commands.Select(c => c.Id));
        gateway.LastSender.Tell(new CoalescedReplies([new CorrelatedReply(8, new NotFound(OtherKey))]));

        var ids = new List<long>();
        while (ids.Count < 2)
            ids.AddRange(serializer.DecodeReplies(await client.Frames.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5))).Replies.Select(r => r.Id));
        Assert.Equal([7L, 8L], ids.Order());
        Assert.Equal((0, 1L, 2L), (listener.DirectInFlight, listener.Direct, listener.Commands));

        // Off: everything through the gateway.
        using var off = DataPlaneListener.Start(Sys, gateway.Ref, new DataPlaneSettings(true, "127.0.0.1", 0, Limit, null, Direct: false),
            new DirectPath(_local, Resolver, _telemetry)) ?? throw new InvalidOperationException("the listener did not start");
        await using var other = await DataPlaneTestClient.ConnectAsync(off.Port, Limit, serializer);
        other.Connection.Send(new CoalescedRequests(TimeSpan.FromSeconds(5), [new CorrelatedCommand(9, new Get(LocalKey))]));
        Assert.Equal([9L], (await gateway.ExpectMsgAsync<CoalescedRequests>()).Commands.Select(c => c.Id));
        await entry.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }
}
