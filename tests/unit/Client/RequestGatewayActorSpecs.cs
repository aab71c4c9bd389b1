using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using DistCacheAkka.CacheNode.Entries;
using DistCacheAkka.CacheNode.Gateway;
using DistCacheAkka.CacheNode.Memory;
using DistCacheAkka.CacheNode.Stats;
using DistCacheAkka.CacheNode.Telemetry;
using DistCacheAkka.Messages;

namespace DistCacheAkka.Tests.Unit.Client;

// The node's end of coalescing, with a probe as the shard region: every command of an envelope reaches the region
// with a sender of its own, the replies go back to the client as one CoalescedReplies once all are in, a slow command
// does not hold back the others for long, and a command that is never answered gets no reply. A shard whose
// EntryActor announced itself running here gets its commands directly (Routed), until it withdraws.
public class RequestGatewayActorSpecs : TestKit
{
    private readonly TestProbe _region;
    private readonly TestProbe _client;
    private readonly IActorRef _gateway;

    public RequestGatewayActorSpecs()
        : base("akka.loglevel = WARNING")
    {
        _region = CreateTestProbe();
        _client = CreateTestProbe();
        _gateway = Sys.ActorOf(RequestGatewayActor.Props(_region.Ref, Resolver, Telemetry));
    }

    private static readonly DistCacheAkka.Messages.Hashing.ShardResolver Resolver = new(1024);

    private NodeTelemetry Telemetry { get; } = new(new NodeMetrics(), new MemoryBudget(1 << 20, EvictionPolicy.Lru, 5, TimeSpan.FromSeconds(1)));

    [Fact]
    public async Task Should_measure_each_command_from_arrival_to_reply_with_its_outcome()
    {
        var recorded = new System.Collections.Concurrent.ConcurrentQueue<(string Instrument, string Tags)>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, Telemetry.Meter))
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((i, _, tags, _) => recorded.Enqueue((i.Name, string.Join(",", tags.ToArray().Select(t => t.Value)))));
        listener.SetMeasurementEventCallback<double>((i, _, tags, _) => recorded.Enqueue((i.Name, string.Join(",", tags.ToArray().Select(t => t.Value)))));
        listener.Start();

        _gateway.Tell(new CoalescedRequests(TimeSpan.FromSeconds(5),
            [new CorrelatedCommand(1, new Set("a", [1], CacheExpiry.Never, ConsistencyLevel.Quorum)), new CorrelatedCommand(2, new Get("b"))]), _client.Ref);
        await _region.ExpectMsgAsync<Set>();
        _region.LastSender.Tell(new SetSuccess("a", new EntryVersion(1, 1)));
        await _region.ExpectMsgAsync<Get>();
        _region.LastSender.Tell(new NotFound("b"));
        await _client.ExpectMsgAsync<CoalescedReplies>();

        Assert.Equal(
            [("distcache.node.requests", "set,quorum,ok"), ("distcache.node.request.duration", "set,quorum,ok"),
             ("distcache.node.requests", "get,eventual,miss"), ("distcache.node.request.duration", "get,eventual,miss")],
            recorded.OrderBy(r => r.Tags.StartsWith("get", StringComparison.Ordinal)).ToList());
    }

    [Fact]
    public async Task Should_hand_commands_of_a_local_shard_to_its_EntryActor_directly_until_it_withdraws()
    {
        var entry = CreateTestProbe();
        var shard = Resolver.ShardOf("a");
        var other = Enumerable.Range(0, 100).Select(i => $"o{i}").First(k => Resolver.ShardOf(k) != shard);

        // Published events and envelopes reach the gateway on different paths, and the gateway subscribes when it
        // starts: announce the EntryActor and resend until a command is handed over.
        Routed? routed = null;
        for (var attempt = 0; attempt < 50 && routed is null; attempt++)
        {
            Sys.EventStream.Publish(new ShardLifecycle(shard, entry.Ref, Running: true));
            _gateway.Tell(new CoalescedRequests(TimeSpan.FromSeconds(5), [new CorrelatedCommand(100 + attempt, new Get("a"))]), _client.Ref);
            routed = await entry.ReceiveOneAsync(TimeSpan.FromMilliseconds(100)) as Routed;
            if (routed is null)
            {
                await _region.ExpectMsgAsync<Get>();
                _region.LastSender.Tell(new NotFound("a"));
                await _client.ExpectMsgAsync<CoalescedReplies>();
            }
        }

        Assert.NotNull(routed);
        Assert.Equal(new Get("a"), routed.Command);
        entry.LastSender.Tell(new RoutedReply(routed.Id, new GetSuccess("a", [5], new EntryVersion(1, 2))));
        var reply = Assert.Single((await _client.ExpectMsgAsync<CoalescedReplies>()).Replies);
        Assert.IsType<GetSuccess>(reply.Reply);
        Assert.InRange(reply.Id, 100, 149);

        // Another shard still goes through the region; after the EntryActor withdraws (hand-off), so does this one.
        _gateway.Tell(new CoalescedRequests(TimeSpan.FromSeconds(5), [new CorrelatedCommand(200, new Get(other))]), _client.Ref);
        await _region.ExpectMsgAsync<Get>(m => m.Key == other);
        _region.LastSender.Tell(new NotFound(other));
        await _client.ExpectMsgAsync<CoalescedReplies>();
        Sys.EventStream.Publish(new ShardLifecycle(shard, entry.Ref, Running: false));
        await AwaitAssertAsync(async () =>
        {
            _gateway.Tell(new CoalescedRequests(TimeSpan.FromSeconds(5), [new CorrelatedCommand(300, new Get("a"))]), _client.Ref);
            await _region.ExpectMsgAsync<Get>(TimeSpan.FromMilliseconds(200));
            _region.LastSender.Tell(new NotFound("a"));
            await _client.ExpectMsgAsync<CoalescedReplies>();
        }, TimeSpan.FromSeconds(5));
        await entry.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Should_hand_each_command_to_the_region_and_gather_the_replies_into_one_envelope()
    {
        _gateway.Tell(new CoalescedRequests(TimeSpan.FromSeconds(5),
        [
            new CorrelatedCommand(10, new Get("a")),
            new CorrelatedCommand(11, new Set("b", [1], CacheExpiry.Never)),
            new CorrelatedCommand(12, new Remove("c")),
        ]), _client.Ref);

        await _region.ExpectMsgAsync<Get>(m => m.Key == "a");
        var getSender = _region.LastSender;
        await _region.ExpectMsgAsync<Set>(m => m.Key == "b");
        var setSender = _region.LastSender;
        await _region.ExpectMsgAsync<Remove>(m => m.Key == "c");
        var removeSender = _region.LastSender;
        Assert.Equal(3, new[] { getSender, setSender, removeSender }.Distinct().Count());

        removeSender.Tell(new RemoveSuccess("c", false, EntryVersion.Zero));
        getSender.Tell(new GetSuccess("a", [7], new EntryVersion(1, 1)));
        setSender.Tell(new SetFailure("b", CacheError.Invalid("too large")));

        // One envelope, or two if the first two replies were held longer than the gateway's hold time.
        var replies = new List<CorrelatedReply>();
        while (replies.Count < 3)
            replies.AddRange((await _client.ExpectMsgAsync<CoalescedReplies>()).Replies);
        Assert.Equal([10L, 11L, 12L], replies.Select(r => r.Id).Order());
        Assert.IsType<GetSuccess>(replies.Single(r => r.Id == 10).Reply);
        Assert.IsType<SetFailure>(replies.Single(r => r.Id == 11).Reply);
        Assert.IsType<RemoveSuccess>(replies.Single(r => r.Id == 12).Reply);
    }

    [Fact]
    public async Task Should_not_serve_a_bare_command_whose_reply_could_only_be_matched_by_key()
    {
        _gateway.Tell(new Get("lone"), _client.Ref);

        await _region.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Should_answer_a_fast_envelope_in_one_reply_envelope()
    {
        _gateway.Tell(new CoalescedRequests(TimeSpan.FromSeconds(5),
            [new CorrelatedCommand(1, new Get("a")), new CorrelatedCommand(2, new Get("b"))]), _client.Ref);

        await _region.ExpectMsgAsync<Get>();
        var first = _region.LastSender;
        await _region.ExpectMsgAsync<Get>();
        var second = _region.LastSender;
        first.Tell(new NotFound("a"));
        second.Tell(new NotFound("b"));

        var envelope = await _client.ExpectMsgAsync<CoalescedReplies>();
        Assert.Equal([1L, 2L], envelope.Replies.Select(r => r.Id).Order());
    }

    [Fact]
    public async Task Should_not_let_a_slow_command_hold_back_a_fast_one_and_drop_a_command_that_times_out()
    {
        _gateway.Tell(new CoalescedRequests(TimeSpan.FromMilliseconds(500),
            [new CorrelatedCommand(1, new Get("fast")), new CorrelatedCommand(2, new Set("never", [1], CacheExpiry.Never))]), _client.Ref);
        await _region.ExpectMsgAsync<Get>();
        _region.LastSender.Tell(new NotFound("fast"));
        await _region.ExpectMsgAsync<Set>(); // never answered

        var envelope = await _client.ExpectMsgAsync<CoalescedReplies>(TimeSpan.FromMilliseconds(400));
        Assert.Equal(1L, Assert.Single(envelope.Replies).Id);
        await _client.ExpectNoMsgAsync(TimeSpan.FromSeconds(1)); // the Set's ask timed out: nothing is sent for it
    }
}
