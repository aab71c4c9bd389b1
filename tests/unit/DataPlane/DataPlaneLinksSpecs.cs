using System.IO.Pipelines;
using Akka.Actor;
using DistCacheAkka.ClientProxy.Actors;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.DataPlane;

namespace DistCacheAkka.Tests.Unit.DataPlane;

// The client proxy's bookkeeping of its data-plane connections: a node's advertised port starts one attempt at a
// time; a connection becomes the node's way only while its port is still the advertised one; losing it (or failing
// to connect) backs off 1 s, doubling up to 30 s, reset by a success; a close of a connection that was already
// replaced is ignored; a new port makes the open connection stale.
public class DataPlaneLinksSpecs
{
    private const string Node = "akka.tcp://distcache@127.0.0.1:4053";
    private readonly IActorRef _ref = ActorRefs.Nobody;

    [Fact]
    public void Should_start_one_attempt_per_advertised_port()
    {
        var links = new DataPlaneLinks();

        Assert.False(links.Advertised(Node, 0).Connect);
        Assert.True(links.Advertised(Node, 4061).Connect);
        Assert.Equal(4061, links.BeginConnect(Node));
        Assert.False(links.Advertised(Node, 4061).Connect); // an attempt runs
        Assert.Equal(0, links.BeginConnect(Node));
    }

    [Fact]
    public void Should_back_off_from_1_to_30_seconds_and_reset_on_success()
    {
        var links = new DataPlaneLinks();
        links.Advertised(Node, 4061);
        var backoffs = new List<TimeSpan>();
        for (var i = 0; i < 8; i++)
        {
            links.BeginConnect(Node);
            Assert.True(links.Lost(Node, null, out var backoff));
            backoffs.Add(backoff);
        }

        Assert.Equal([1, 2, 4, 8, 16, 30, 30, 30], backoffs.Select(b => (int)b.TotalSeconds));
        Assert.False(links.Advertised(Node, 4061).Connect); // the retry timer reconnects, not the next report

        links.BeginConnect(Node);
        using var connection = Connection();
        Assert.True(links.Connected(Node, 4061, connection.Value, _ref));
        Assert.Same(_ref, links.RefOf(Node));
        Assert.True(links.Lost(Node, _ref, out var afterSuccess));
        Assert.Equal(TimeSpan.FromSeconds(1), afterSuccess);
        Assert.Null(links.RefOf(Node));
    }

    [Fact]
    public void Should_refuse_a_connection_to_an_old_port_and_ignore_the_close_of_a_replaced_one()
    {
        var links = new DataPlaneLinks();
        links.Advertised(Node, 4061);
        links.BeginConnect(Node);
        using var first = Connection();

        Assert.Null(links.Advertised(Node, 4062).Stale); // nothing open yet
        Assert.False(links.Connected(Node, 4061, first.Value, _ref)); // the node moved to 4062 meanwhile
        Assert.Null(links.RefOf(Node));

        Assert.Equal(4062, links.BeginConnect(Node));
        using var second = Connection();
        Assert.True(links.Connected(Node, 4062, second.Value, _ref));
        Assert.False(links.Lost(Node, new ReplacedRef(), out _)); // not the current connection
        Assert.Same(_ref, links.RefOf(Node));
        Assert.Same(second.Value, links.Advertised(Node, 4063).Stale); // restarted elsewhere: close the open one
    }

    /// <summary>An unstarted connection over an in-memory pipe (the links only hold it).</summary>
    private static Disposable<DataPlaneConnection> Connection()
    {
        var pipe = new Pipe();
        var stream = new DuplexStream(pipe.Reader.AsStream(), pipe.Writer.AsStream());
        var connection = new DataPlaneConnection(stream, 100, false, _ => { }, _ => { }, _ => [], (_, _) => { });
        return new Disposable<DataPlaneConnection>(connection, () => connection.Close());
    }

    private sealed class ReplacedRef : MinimalActorRef
    {
        public override ActorPath Path { get; } = new RootActorPath(new Address("akka", "x")) / "replaced";

        public override IActorRefProvider Provider => throw new NotSupportedException();
    }

    private sealed record Disposable<T>(T Value, Action Dispose) : IDisposable
    {
        void IDisposable.Dispose() => Dispose();
    }

    private sealed class DuplexStream(Stream read, Stream write) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => write.Flush();

        public override int Read(byte[] buffer, int offset, int count) => read.Read(buffer, offset, count);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => write.Write(buffer, offset, count);
    }
}
