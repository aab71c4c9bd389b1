using DistCacheAkka.ClientProxy.Hybrid;

namespace DistCacheAkka.Tests.Unit.Hybrid;

// Stampede protection: concurrent callers of a key share one run of the work and its outcome; a caller that cancels
// leaves without cancelling the work for the others; the work is cancelled only when every caller has left.
public class FlightGroupSpecs
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly FlightGroup _flights = new();

    [Fact]
    public async Task Should_run_the_work_once_for_concurrent_callers()
    {
        var runs = 0;
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var callers = Enumerable.Range(0, 20)
            .Select(_ => _flights.RunAsync("k", async _ => { Interlocked.Increment(ref runs); return await release.Task; }, CancellationToken.None))
            .ToArray();

        release.SetResult(42);
        var results = await Task.WhenAll(callers).WaitAsync(Deadline);

        Assert.Equal(1, runs);
        Assert.All(results, r => Assert.Equal(42, r));
        Assert.Equal(0, _flights.Count);
    }

    [Fact]
    public async Task Should_run_keys_independently_and_start_afresh_after_a_flight_ends()
    {
        var runs = 0;
        Task<int> Work(CancellationToken _) => Task.FromResult(Interlocked.Increment(ref runs));

        Assert.Equal(1, await _flights.RunAsync("a", Work, CancellationToken.None));
        Assert.Equal(2, await _flights.RunAsync("b", Work, CancellationToken.None));
        Assert.Equal(3, await _flights.RunAsync("a", Work, CancellationToken.None));
    }

    [Fact]
    public async Task Should_share_the_works_exception()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<int> Failing(CancellationToken _)
        {
            await release.Task;
            throw new InvalidOperationException("factory broke");
        }

        var first = _flights.RunAsync("k", Failing, CancellationToken.None);
        var second = _flights.RunAsync("k", Failing, CancellationToken.None);
        release.SetResult();

        Assert.Equal("factory broke", (await Assert.ThrowsAsync<InvalidOperationException>(() => first)).Message);
        Assert.Equal("factory broke", (await Assert.ThrowsAsync<InvalidOperationException>(() => second)).Message);
    }

    [Fact]
    public async Task Should_let_one_caller_cancel_without_cancelling_the_work_for_the_others()
    {
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        CancellationToken workToken = default;
        using var quitter = new CancellationTokenSource();
        var leaving = _flights.RunAsync("k", token => { workToken = token; return release.Task; }, quitter.Token);
        var staying = _flights.RunAsync("k", _ => Task.FromResult(-1), CancellationToken.None);

        quitter.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving).WaitAsync(Deadline);
        Assert.False(workToken.IsCancellationRequested);
        release.SetResult(7);

        Assert.Equal(7, await staying.WaitAsync(Deadline));
    }

    [Fact]
    public async Task Should_cancel_the_work_when_every_caller_has_cancelled()
    {
        var started = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var one = new CancellationTokenSource();
        using var two = new CancellationTokenSource();
        async Task<int> Work(CancellationToken token)
        {
            started.SetResult(token);
            await Task.Delay(Timeout.Infinite, token); // ends only by cancellation
            return 0;
        }

        var first = _flights.RunAsync("k", Work, one.Token);
        var second = _flights.RunAsync("k", Work, two.Token);
        var token = await started.Task.WaitAsync(Deadline);
        one.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first).WaitAsync(Deadline);
        Assert.False(token.IsCancellationRequested);
        two.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second).WaitAsync(Deadline);

        Assert.True(token.IsCancellationRequested);
        Assert.Equal(0, _flights.Count);
    }
}
