using System.Net.Sockets;
using System.Threading.Channels;
using DistCacheAkka.Messages.DataPlane;

namespace DistCacheAkka.Tests.Unit.DataPlane;

/// <summary>A client end of a data-plane connection for the listener's specs: the frames it reads, and its close
/// (asserted to be reported once).</summary>
internal sealed record DataPlaneTestClient(DataPlaneConnection Connection, ChannelReader<byte[]> Frames, TaskCompletionSource<string?> Closed) : IAsyncDisposable
{
    public static async Task<DataPlaneTestClient> ConnectAsync(int port, int limit, DataPlaneSerializer serializer)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync("127.0.0.1", port);
        var frames = Channel.CreateUnbounded<byte[]>();
        var closed = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var connection = new DataPlaneConnection(new NetworkStream(socket, ownsSocket: true), limit, expectPreamble: false,
            payload => frames.Writer.TryWrite(payload),
            problem =>
            {
                Assert.Equal(1, Interlocked.Increment(ref calls)); // once only
                closed.TrySetResult(problem);
            },
            serializer.Encode,
            (_, problem) => throw new InvalidOperationException(problem));
        connection.Start(sendPreamble: true);
        return new DataPlaneTestClient(connection, frames.Reader, closed);
    }

    public async ValueTask DisposeAsync()
    {
        Connection.Close();
        await Connection.Completion.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
