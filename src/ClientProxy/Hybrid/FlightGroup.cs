namespace DistCacheAkka.ClientProxy.Hybrid;

/// <summary>
/// One run of a piece of work per key among concurrent callers of one process (the HybridCache's stampede
/// protection). The first caller of a key starts the work; callers that arrive while it runs share its result or its
/// exception. The work gets its own cancellation token, cancelled only when every caller waiting for it has cancelled:
/// one caller giving up never breaks the others. A flight whose callers all left is not joined again; the next
/// caller starts a new one.
/// </summary>
internal sealed class FlightGroup
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Flight> _flights = new(StringComparer.Ordinal);

    /// <summary>Flights running now (for tests).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
                return _flights.Count;
        }
    }

    /// <summary>
    /// The result of <paramref name="work"/> for <paramref name="key"/>, run once for all callers waiting at the time.
    /// Callers of one key must ask for the same <typeparamref name="T"/> (otherwise <see cref="InvalidCastException"/>).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled (the work goes on for the others).</exception>
    public async Task<T> RunAsync<T>(string key, Func<CancellationToken, Task<T>> work, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        Flight flight;
        var leader = false;
        lock (_gate)
        {
            if (!_flights.TryGetValue(key, out flight!) || !flight.TryJoin())
            {
                flight = new Flight();
                _flights[key] = flight;
                leader = true;
            }
        }

        if (leader)
            _ = ExecuteAsync(key, flight, work);
        try
        {
            return (T)(await flight.Result.WaitAsync(ct).ConfigureAwait(false))!;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Leave(key, flight);
            throw;
        }
    }

    private async Task ExecuteAsync<T>(string key, Flight flight, Func<CancellationToken, Task<T>> work)
    {
        object? result = null;
        Exception? error = null;
        try
        {
            result = await work(flight.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            error = e;
        }

        // Out of the map before the result is published: a caller that arrives later starts afresh.
        lock (_gate)
        {
            if (_flights.TryGetValue(key, out var current) && current == flight)
                _flights.Remove(key);
        }

        flight.Finish(result, error);
    }

    private void Leave(string key, Flight flight)
    {
        lock (_gate)
        {
            if (!flight.Leave())
                return;
            if (_flights.TryGetValue(key, out var current) && current == flight)
                _flights.Remove(key);
        }

        flight.Cancel();
    }

    /// <summary>One run: its waiters (guarded by the group's lock), its token and its result.</summary>
    private sealed class Flight
    {
        private readonly CancellationTokenSource _cancel = new();
        private readonly TaskCompletionSource<object?> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _waiters = 1;

        public CancellationToken Token => _cancel.Token;

        public Task<object?> Result => _result.Task;

        /// <summary>Joins unless every waiter already left (the work is being cancelled).</summary>
        public bool TryJoin()
        {
            if (_waiters == 0)
                return false;
            _waiters++;
            return true;
        }

        /// <summary>One waiter left; true when it was the last.</summary>
        public bool Leave() => --_waiters == 0;

        public void Cancel() => _cancel.Cancel();

        public void Finish(object? result, Exception? error)
        {
            if (error is OperationCanceledException && _cancel.IsCancellationRequested)
                _result.TrySetCanceled(_cancel.Token);
            else if (error is not null)
                _result.TrySetException(error);
            else
                _result.TrySetResult(result);
            _ = _result.Task.Exception; // observed: waiters that left never look
            // The token source is not disposed: a waiter leaving now may still cancel it (it holds no timer).
        }
    }
}
