using System.Buffers.Binary;
using System.Net.Sockets;
using System.Threading.Channels;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using DistCacheAkka.CacheNode.DataPlane;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.DataPlane;
using DistCacheAkka.Messages.Serialization;

namespace DistCacheAkka.Tests.Unit.DataPlane;

// The node's data plane over loopback TCP with a probe as the gateway: a client's envelope reaches the gateway with
// the connection's ref as Sender and the gateway's reply comes back as a frame; a wrong preamble, an oversized
// length and an undecodable payload each close that connection with a warning naming the problem, while the
// listener keeps serving new connections; a reply too large for a frame is dropped with a warning and the connection
// stays open; closing the node's connections ends the client's (its close is reported
// once) and a reply told to the closed connection's ref is dropped without an error.
public class DataPlaneListenerSpecs : TestKit, IDisposable
{
    private const int Limit = 64 * 1024;
    private readonly DataPlaneListener _listener;
    private readonly Akka.TestKit.TestProbe _gateway;
    private readonly DataPlaneSerializer _serializer;

    public DataPlaneListenerSpecs()
        : base("akka.loglevel = WARNING\n" + CacheProtocolSerializer.Hocon)
    {
        _gateway = CreateTestProbe();
        _serializer = new DataPlaneSerializer(Sys);
        _listener = DataPlaneListener.Start(Sys, _gateway.Ref, new DataPlaneSettings(true, "127.0.0.1", 0, Limit, null))
                    ?? throw new InvalidOperationException("the listener did not start");
    }

    void IDisposable.Dispose()
    {
        _listener.Dispose();
        Dispose();
    }

    [Fact]
    public async Task Should_carry_an_envelope_to_the_gateway_and_its_replies_back()
    {
        await using var client = await ClientAsync();
        var request = new CoalescedRequests(TimeSpan.FromSeconds(5), [new CorrelatedCommand(7, new Get("k"))]);

        Assert.True(client.Connection.Send(request));
        var received = await _gateway.ExpectMsgAsync<CoalescedRequests>();
        Assert.Equal(7, received.Commands.Single().Id);
        Assert.Equal("k", Assert.IsType<Get>(received.Commands.Single().Command).Key);
        var replyTo = _gateway.LastSender;
        replyTo.Tell(new CoalescedReplies([new CorrelatedReply(7, new NotFound("k"))]), _gateway.Ref);

        var reply = _serializer.DecodeReplies(await client.Frames.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(7, reply.Replies.Single().Id);
        Assert.IsType<NotFound>(reply.Replies.Single().Reply);
        Assert.Equal((1L, 1L), (_listener.Frames, _listener.Commands));
    }

    [Fact]
    public async Task Should_drop_a_reply_over_the_frame_limit_and_keep_the_connection()
    {
        await using var client = await ClientAsync();
        client.Connection.Send(new CoalescedRequests(TimeSpan.FromSeconds(5), [new CorrelatedCommand(1, new Get("big")), new CorrelatedCommand(2, new Get("k"))]));
        await _gateway.ExpectMsgAsync<CoalescedRequests>();
        var replyTo = _gateway.LastSender;

        await EventFilter.Warning(contains: "over the limit").ExpectOneAsync(() =>
        {
            replyTo.Tell(new CoalescedReplies([new CorrelatedReply(1, new GetSuccess("big", new byte[Limit], new EntryVersion(1, 1)))]));
            return Task.CompletedTask;
        });
        replyTo.Tell(new CoalescedReplies([new CorrelatedReply(2, new NotFound("k"))]));

        var reply = _serializer.DecodeReplies(await client.Frames.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(2, reply.Replies.Single().Id);
        Assert.False(client.Connection.IsClosed);
    }

    [Fact]
    public async Task Should_close_a_connection_with_a_wrong_preamble_and_keep_serving()
    {
        using var raw = await RawAsync();
        await EventFilter.Warning(contains: "preamble").ExpectOneAsync(async () =>
            await raw.GetStream().WriteAsync("GET / HTTP/1.1\r\n\r\n"u8.ToArray()));

        await AssertClosedAsync(raw);
        await Should_carry_an_envelope_to_the_gateway_and_its_replies_back();
    }

    [Fact]
    public async Task Should_close_a_connection_that_sends_a_frame_over_the_limit()
    {
        using var raw = await RawAsync();
        var header = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(header, Limit + 1);
        await EventFilter.Warning(contains: $"a frame of {Limit + 1} bytes").ExpectOneAsync(async () =>
            await raw.GetStream().WriteAsync(DataPlaneFrames.Preamble.ToArray().Concat(header).ToArray()));

        await AssertClosedAsync(raw);
        await _gateway.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Should_close_a_connection_that_sends_an_undecodable_frame()
    {
        using var raw = await RawAsync();
        await EventFilter.Warning(contains: "undecodable frame").ExpectOneAsync(async () =>
            await raw.GetStream().WriteAsync(DataPlaneFrames.Preamble.ToArray().Concat(new byte[] { 3, 0, 0, 0, 0xFF, 0xFF, 0xFF }).ToArray()));

        await AssertClosedAsync(raw);
        Assert.Equal(0, _listener.Frames);
        await Should_carry_an_envelope_to_the_gateway_and_its_replies_back();
    }

    [Fact]
    public async Task Should_end_the_clients_connection_when_the_node_closes_it_and_drop_late_replies()
    {
        await using var client = await ClientAsync();
        client.Connection.Send(new CoalescedRequests(TimeSpan.FromSeconds(5), [new CorrelatedCommand(1, new Get("k"))]));
        await _gateway.ExpectMsgAsync<CoalescedRequests>();
        var replyTo = _gateway.LastSender;

        _listener.CloseConnections();

        await client.Closed.Task.WaitAsync(TimeSpan.FromSeconds(5)); // the end of the stream (or a reset) closes it
        await AwaitConditionAsync(() => Task.FromResult(_listener.OpenConnections == 0), TimeSpan.FromSeconds(5));
        replyTo.Tell(new CoalescedReplies([new CorrelatedReply(1, new NotFound("k"))])); // dropped: no exception, no frame
        Assert.True(client.Connection.IsClosed);
    }

    private async Task<TcpClient> RawAsync()
    {
        var raw = new TcpClient();
        await raw.ConnectAsync("127.0.0.1", _listener.Port);
        return raw;
    }

    /// <summary>The node closed the connection: the client reads the end of the stream (or a reset) in time.</summary>
    private static async Task AssertClosedAsync(TcpClient raw)
    {
        var buffer = new byte[16];
        try
        {
            var read = await raw.GetStream().ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
            Assert.Equal(0, read);
        }
        catch (IOException)
        {
            // a reset is a close too
        }
    }

    private async Task<Client> ClientAsync()
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync("127.0.0.1", _listener.Port);
        var frames = Channel.CreateUnbounded<byte[]>();
        var closed = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var connection = new DataPlaneConnection(new NetworkStream(socket, ownsSocket: true), Limit, expectPreamble: false,
            payload => frames.Writer.TryWrite(payload),
            problem =>
            {
                Assert.Equal(1, Interlocked.Increment(ref calls)); // once only
                closed.TrySetResult(problem);
            },
            _serializer.Encode,
            (_, problem) => throw new InvalidOperationException(problem));
        connection.Start(sendPreamble: true);
        return new Client(connection, frames.Reader, closed);
    }

    private sealed record Client(DataPlaneConnection Connection, ChannelReader<byte[]> Frames, TaskCompletionSource<string?> Closed) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Connection.Close();
            await Connection.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        }
    }
}
