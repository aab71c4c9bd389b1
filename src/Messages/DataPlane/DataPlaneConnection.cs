using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;

namespace DistCacheAkka.Messages.DataPlane;

/// <summary>
/// One data-plane connection, either end: a read loop that cuts the stream into frames (<see cref="DataPlaneFrames"/>)
/// and hands each payload to <c>onFrame</c>, and a write loop that drains the outgoing queue of messages, encodes
/// each into a frame (off the sending actor's thread, as remoting's writer does) and flushes once per drain, so
/// messages queued while a flush runs leave together (natural batching, no timer).
/// <para>Any failure — the peer closed, a socket error, an invalid frame, an exception from <c>onFrame</c> — closes the
/// connection once and calls <c>onClosed</c> once with the problem (null: the peer ended the stream cleanly or
/// <see cref="Close"/> was called without one). Nothing escapes the loops. Frames still queued when it closes are
/// dropped: their senders' own timeouts report them.</para>
/// <para>Not guaranteed: back-pressure. The queue is unbounded; each side bounds it by what it sends (the client's
/// coalescing window, the node's replies to those requests).</para>
/// </summary>
internal sealed class DataPlaneConnection
{
    private readonly Stream _stream;
    private readonly int _limit;
    private readonly bool _expectPreamble;
    private readonly Action<byte[]> _onFrame;
    private readonly Action<string?> _onClosed;
    private readonly Func<ICacheMessage, byte[]> _encode;
    private readonly Action<ICacheMessage, string> _onDropped;
    private readonly Channel<ICacheMessage> _outgoing = Channel.CreateUnbounded<ICacheMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private int _closed;
    private bool _sendPreamble;

    /// <param name="stream">The connected stream; the connection owns and disposes it.</param>
    /// <param name="limit">The largest frame accepted, and sent: a message whose encoding is larger is dropped.</param>
    /// <param name="expectPreamble">True on the node: the peer must open with <see cref="DataPlaneFrames.Preamble"/>.</param>
    /// <param name="onFrame">Called on the read loop with each frame's payload, in order.</param>
    /// <param name="onClosed">Called once when the connection closes, with the problem (null for a clean end).</param>
    /// <param name="encode">Encodes an outgoing message (on the write loop).</param>
    /// <param name="onDropped">Called on the write loop for a message that cannot leave (it does not encode, or its
    /// frame is over the limit), with the reason; the connection stays open.</param>
    public DataPlaneConnection(Stream stream, int limit, bool expectPreamble, Action<byte[]> onFrame, Action<string?> onClosed,
        Func<ICacheMessage, byte[]> encode, Action<ICacheMessage, string> onDropped)
    {
        _encode = encode;
        _onDropped = onDropped;
        _stream = stream;
        _limit = limit;
        _expectPreamble = expectPreamble;
        _onFrame = onFrame;
        _onClosed = onClosed;
    }

    /// <summary>Completes once both loops ended and the stream is disposed.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Starts the loops; <paramref name="sendPreamble"/> on the client queues the preamble first.</summary>
    public void Start(bool sendPreamble)
    {
        _sendPreamble = sendPreamble;
        Completion = Task.WhenAll(Task.Run(ReadLoopAsync), Task.Run(WriteLoopAsync));
    }

    /// <summary>Queues one message; false when the connection is closed (the message is dropped).</summary>
    public bool Send(ICacheMessage message) => !IsClosed && _outgoing.Writer.TryWrite(message);

    /// <summary>Closes the connection (idempotent): both loops end, the stream is disposed, <c>onClosed</c> is called.</summary>
    public void Close(string? problem = null)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
            return;
        _outgoing.Writer.TryComplete();
        _stop.Cancel();
        try
        {
            _stream.Dispose();
        }
        catch (Exception)
        {
            // a stream that fails while closing is closed enough
        }

        try
        {
            _onClosed(problem);
        }
        catch (Exception)
        {
            // the owner's bookkeeping must not take the loops down
        }
    }

    private async Task ReadLoopAsync()
    {
        var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
        string? problem = null;
        var preambleSeen = !_expectPreamble;
        try
        {
            while (!IsClosed)
            {
                var result = await reader.ReadAsync(_stop.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                problem = Consume(ref buffer, ref preambleSeen);
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (problem is not null)
                    break;
                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                        problem = $"the peer closed the connection in the middle of a frame ({buffer.Length} bytes left)";
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            problem = $"{e.GetType().Name}: {e.Message}";
        }
        finally
        {
            Close(problem);
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Hands every complete frame of <paramref name="buffer"/> to onFrame; returns the problem that ends the
    /// connection, if any.</summary>
    private string? Consume(ref ReadOnlySequence<byte> buffer, ref bool preambleSeen)
    {
        if (!preambleSeen)
        {
            switch (DataPlaneFrames.TryReadPreamble(ref buffer, out var bad))
            {
                case FrameStatus.Incomplete:
                    return null;
                case FrameStatus.Invalid:
                    return bad;
            }

            preambleSeen = true;
        }

        while (!IsClosed)
        {
            switch (DataPlaneFrames.TryRead(ref buffer, _limit, out var payload, out var invalid))
            {
                case FrameStatus.Incomplete:
                    return null;
                case FrameStatus.Invalid:
                    return invalid;
            }

            try
            {
                _onFrame(payload.ToArray());
            }
            catch (Exception e)
            {
                return $"an undecodable frame of {payload.Length} bytes ({e.GetType().Name}: {e.Message})";
            }
        }

        return null;
    }

    private byte[]? Encode(ICacheMessage message)
    {
        string problem;
        try
        {
            var payload = _encode(message);
            if (payload.Length > 0 && payload.Length <= _limit)
                return payload;
            problem = $"its frame of {payload.Length} bytes is over the limit of {_limit}";
        }
        catch (Exception e)
        {
            problem = $"it does not encode ({e.GetType().Name}: {e.Message})";
        }

        try
        {
            _onDropped(message, problem);
        }
        catch (Exception)
        {
            // the owner's logging must not take the loop down
        }

        return null;
    }

    private async Task WriteLoopAsync()
    {
        var writer = PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));
        var queue = _outgoing.Reader;
        string? problem = null;
        try
        {
            if (_sendPreamble)
                writer.Write(DataPlaneFrames.Preamble); // raw bytes, not a frame: sent once, first
            while (await queue.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                while (queue.TryRead(out var message))
                {
                    if (Encode(message) is { } payload)
                        DataPlaneFrames.Write(writer, payload);
                }

                var flushed = await writer.FlushAsync(_stop.Token).ConfigureAwait(false);
                if (flushed.IsCompleted || flushed.IsCanceled)
                    break;
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            problem = $"{e.GetType().Name}: {e.Message}";
        }
        finally
        {
            Close(problem);
            try
            {
                await writer.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is ObjectDisposedException or IOException)
            {
                // Close disposed the stream: bytes still buffered (a preamble not yet flushed) have nowhere to go.
            }
        }
    }
}
