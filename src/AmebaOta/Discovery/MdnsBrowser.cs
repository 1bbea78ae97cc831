using System.Runtime.CompilerServices;

namespace AmebaOta.Discovery;

/// <summary>
/// The host side of DNS-SD: finds <c>_arduino._tcp</c> services. Collects answers spread over several packets, asks for the
/// SRV/TXT/A records missing from the first answers, and never waits longer than the timeout. Each call opens its own
/// socket on the chosen interfaces. Never touches a board's OTA port.
/// </summary>
public sealed class MdnsBrowser(MdnsBrowserOptions? options = null)
{
    private readonly MdnsBrowserOptions _options = options ?? new MdnsBrowserOptions();

    /// <summary>Every service that resolved within <paramref name="timeout"/> (the whole timeout is used: there is no "last" answer).</summary>
    public async Task<IReadOnlyList<DiscoveredService>> BrowseAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        await using var session = new BrowseSession(_options, wantedInstance: null);
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (Remaining(deadline) is { } left && left > TimeSpan.Zero)
        {
            session.QueryIfDue();
            session.TakeChanges();
            session.FollowUp();
            await session.WaitAsync(left, cancellationToken);
        }
        return session.Complete();
    }

    /// <summary>How long <see cref="ResolveAsync"/> keeps listening after the first answer: every responder answers a query within 120 ms (RFC 6762 §6).</summary>
    public static readonly TimeSpan ConflictGrace = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The service whose instance name (or host name's first label) is <paramref name="name"/>, once its SRV, TXT and
    /// address are known and <see cref="ConflictGrace"/> more has passed (so that a second responder claiming the name
    /// shows in <see cref="DiscoveredService.OtherAddresses"/>); null after <paramref name="timeout"/>.
    /// </summary>
    public async Task<DiscoveredService?> ResolveAsync(string name, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        await using var session = new BrowseSession(_options, wantedInstance: name);
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            foreach (var e in session.TakeChanges())
                if (e.Kind == ServiceEventKind.Appeared && e.Service.Matches(name)) return await LastWordAsync(session, e.Service, name, cancellationToken);
            var left = Remaining(deadline);
            if (left <= TimeSpan.Zero) return null;
            session.QueryIfDue();
            session.FollowUp();
            await session.WaitAsync(left, cancellationToken);
        }
    }

    private static async Task<DiscoveredService> LastWordAsync(BrowseSession session, DiscoveredService first, string name, CancellationToken cancellationToken)
    {
        var until = Environment.TickCount64 + (long)ConflictGrace.TotalMilliseconds;
        while (Remaining(until) is { } left && left > TimeSpan.Zero)
        {
            session.FollowUp();
            await session.WaitAsync(left, cancellationToken);
            session.TakeChanges();
        }
        return session.Complete().FirstOrDefault(s => s.Matches(name) && s.InstanceName == first.InstanceName) ?? first;
    }

    /// <summary>Services as they appear (fully resolved, or changed) and disappear (goodbye or expiry), until cancelled.</summary>
    public async IAsyncEnumerable<ServiceEvent> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var session = new BrowseSession(_options, wantedInstance: null);
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var e in session.TakeChanges()) yield return e;
            session.QueryIfDue();
            session.FollowUp();
            try
            {
                await session.WaitAsync(TimeSpan.FromSeconds(1), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    private static TimeSpan Remaining(long deadline) => TimeSpan.FromMilliseconds(deadline - Environment.TickCount64);
}
