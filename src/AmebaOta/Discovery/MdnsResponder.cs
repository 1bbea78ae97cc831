using System.Net;
using AmebaOta.Discovery.Dns;
using Microsoft.Extensions.Logging;

namespace AmebaOta.Discovery;

/// <summary>
/// The board side of DNS-SD: advertises one service. Probes for the instance and host names (RFC 6762 §8.1, with the §8.2
/// tiebreak) and on conflict renames to <c>MyAmeba (2)</c> / host <c>MyAmeba-2</c>; announces (§8.3); answers PTR queries
/// for the service type (SRV, TXT, A and NSEC as additional records), SRV/TXT queries for the instance and A queries for
/// the host, with known-answer suppression (§7.1, known answers spread over several packets with the TC bit included,
/// §7.2), shared answers delayed 20–120 ms (§6), no record multicast twice within a second except to answer a probe
/// (§6: a query flood draws one answer per record per second), QU questions answered by unicast (§5.4) and legacy
/// queries from other ports by unicast (§6.7); sends goodbyes on <see cref="StopAsync"/>, none on <see cref="SilenceAsync"/>.
/// Any number of responders can run in one process (they share one socket per interface set) and on one host; the A
/// record carries <see cref="ServiceAdvertisement.Address"/>, which need not be the interface's address (when it is one of
/// the interface's, as any 127.x.y.z is on loopback, it is also the packets' source). Restartable: Stop or Silence, then
/// Start again re-probes and re-announces (a reboot of the virtual board).
/// </summary>
public sealed class MdnsResponder : IServiceAdvertiser
{
    private readonly MdnsResponderOptions _options;
    private readonly Lock _lock = new();
    private readonly ResponseScheduler _scheduler;
    private MdnsTransport? _transport;
    private ServiceRecords? _records;
    private State _state;
    private TaskCompletionSource _probeTrouble = NewSignal();
    private bool _lostTiebreak;
    private CancellationTokenSource? _running;
    private volatile bool _deaf;

    private enum State { Idle, Probing, Announced }

    /// <summary>A responder with <paramref name="options"/> (defaults: every interface, RFC 6762 timing).</summary>
    public MdnsResponder(MdnsResponderOptions? options = null)
    {
        _options = options ?? new MdnsResponderOptions();
        _scheduler = new ResponseScheduler(SendDue);
    }

    /// <summary>Multicast answers that waited because their record had gone out less than a second before (RFC 6762 §6).</summary>
    public long DeferredAnswers => _scheduler.Deferred;

    /// <summary>The instance name claimed, once <see cref="StartAsync"/> has returned.</summary>
    public string? ClaimedName => _state == State.Announced ? _records?.InstanceLabel : null;

    /// <summary>The host label claimed (<c>MyAmeba</c> or after a conflict <c>MyAmeba-2</c>), without <c>.local</c>.</summary>
    public string? ClaimedHostName => _state == State.Announced ? _records?.HostLabel : null;

    /// <summary>Malformed packets dropped since this responder started, among those it reads (queries once announced).</summary>
    public int MalformedPackets => _transport?.MalformedPackets ?? 0;

    /// <inheritdoc />
    public async Task<string> StartAsync(ServiceAdvertisement advertisement, CancellationToken cancellationToken = default)
    {
        if (_transport is not null) throw new InvalidOperationException("the responder is already started; stop it first");
        var interfaces = MdnsInterface.Resolve(_options.Interface);
        _running = new CancellationTokenSource();
        _transport = new MdnsTransport(interfaces, OnPacket, MdnsInterest.None, advertisement.Address);
        try
        {
            return await ProbeAndAnnounceAsync(advertisement, cancellationToken);
        }
        catch
        {
            await CloseAsync(sendGoodbye: false);
            throw;
        }
    }

    private async Task<string> ProbeAndAnnounceAsync(ServiceAdvertisement advertisement, CancellationToken ct)
    {
        for (int n = 1; ; )
        {
            string instance = n == 1 ? advertisement.InstanceName : $"{advertisement.InstanceName} ({n})";
            string host = n == 1 ? advertisement.HostName : $"{advertisement.HostName}-{n}";
            var records = new ServiceRecords(advertisement, instance, host);
            _scheduler.Clear();
            _transport!.Interest = MdnsInterest.Probes | MdnsInterest.Responses;
            lock (_lock)
            {
                _records = records;
                _state = State.Probing;
                _lostTiebreak = false;
                _probeTrouble = NewSignal();
            }
            var trouble = _probeTrouble.Task;
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(0, (int)_options.ProbeInterval.TotalMilliseconds + 1)), ct);
            bool clear = true;
            for (int i = 0; i < _options.ProbeCount && clear; i++)
            {
                if (trouble.IsCompleted) { clear = false; break; }
                _transport!.Send(records.Probe(unicastResponse: i == 0));
                clear = await Task.WhenAny(trouble, Task.Delay(_options.ProbeInterval, ct)) != trouble;
                ct.ThrowIfCancellationRequested();
            }
            if (clear)
            {
                Announce(records);
                _options.Logger.LogInformation("mDNS: claimed {Instance} on {Host}.local ({Address}:{Port})", instance, host, advertisement.Address, advertisement.Port);
                return instance;
            }
            bool lost;
            lock (_lock) lost = _lostTiebreak;
            if (lost)
            {
                _options.Logger.LogDebug("mDNS: lost simultaneous probe tiebreak for {Instance}; probing again in 1 s", instance);
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
            else
            {
                _options.Logger.LogInformation("mDNS: {Instance} is taken; trying another name", instance);
                n++;
            }
        }
    }

    private void Announce(ServiceRecords records)
    {
        lock (_lock) _state = State.Announced;
        _transport!.Interest = MdnsInterest.AllQueries;
        SendMulticast(records.Announcement());
        var token = _running!.Token;
        _ = Task.Run(async () =>
        {
            for (int i = 1; i < _options.AnnouncementCount; i++)
            {
                await Task.Delay(_options.AnnouncementInterval, token);
                lock (_lock) if (_state != State.Announced || _records != records) return;
                SendMulticast(records.Announcement());
            }
        }, token).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private void SendMulticast(DnsMessage message)
    {
        _transport?.Send(message);
        _scheduler.Multicast(message.Answers.Concat(message.Additionals), Environment.TickCount64);
    }

    /// <inheritdoc />
    public void SetDeaf(bool deaf) => _deaf = deaf;

    private void OnPacket(MdnsPacket packet)
    {
        if (_deaf) return;
        ServiceRecords? records;
        State state;
        TaskCompletionSource trouble;
        lock (_lock) { records = _records; state = _state; trouble = _probeTrouble; }
        if (records is null) return;
        var message = packet.Message;
        if (state == State.Probing)
        {
            if (message.IsResponse && ConflictCheck.ResponseConflicts(message, records))
                trouble.TrySetResult();
            else if (!message.IsResponse && message.Authorities.Count > 0 && ConflictCheck.LosesTiebreak(message, records))
            {
                lock (_lock) if (_probeTrouble == trouble) _lostTiebreak = true;
                trouble.TrySetResult();
            }
        }
        else if (state == State.Announced && !message.IsResponse)
        {
            Answer(packet, records);
        }
    }

    private void Answer(MdnsPacket packet, ServiceRecords records)
    {
        var query = packet.Message;
        var source = packet.Source;
        long now = Environment.TickCount64;
        bool legacy = source.Port != MdnsTransport.Port;
        if (query.Questions.Count == 0)
        {
            // §7.2: known answers only, continuing a truncated query from this querier.
            if (!legacy && query.Answers.Count > 0)
                _scheduler.MoreKnownAnswers(source, packet.KnownAnswers, query.Header.IsTruncated, now + TruncatedQueryDelay(), now);
            return;
        }
        var answers = AnswersTo(query, records);
        // Known-answer suppression (§7.1): skip what the querier already holds with at least half the TTL.
        answers.RemoveAll(packet.KnownAnswers.Suppresses);
        if (answers.Count == 0) return;
        if (legacy)
        {
            Respond(answers, records, source, legacyQuery: query);
            return;
        }
        bool isProbe = query.Authorities.Count > 0;
        if (isProbe)
        {
            Respond(answers, records, to: null);   // probes are answered at once, one-second rule or not (§6, §8.1)
            return;
        }
        var unique = answers.Where(a => a is not PtrRecord).ToList();
        var shared = answers.Where(a => a is PtrRecord).ToList();
        bool unicast = query.Questions.All(q => q.UnicastResponse) && answers.All(a => _scheduler.MulticastWithin(a, a.Ttl * 1000L / 4, now));
        if (unicast)
        {
            if (unique.Count > 0) Respond(unique, records, source);
            if (shared.Count > 0) RespondLater(shared, records, source, SharedDelay());
            return;
        }
        if (query.Header.IsTruncated)
        {
            _scheduler.Hold(source, answers, now + TruncatedQueryDelay(), now);   // more known answers follow (§7.2)
            return;
        }
        if (unique.Count > 0) _scheduler.Schedule(unique, now, now);   // unique answers go at once (§6)
        if (shared.Count > 0) _scheduler.Schedule(shared, now + SharedDelay(), now);   // shared ones wait 20–120 ms (§6)
    }

    private static List<DnsRecord> AnswersTo(DnsMessage query, ServiceRecords records)
    {
        var answers = new List<DnsRecord>();
        foreach (var q in query.Questions)
        {
            if (q.Class is not (DnsClass.In or DnsClass.Any)) continue;
            bool any = q.Type == DnsRecordType.Any;
            if (q.Name == records.TypeName && (any || q.Type == DnsRecordType.Ptr)) Add(records.Ptr);
            else if (q.Name == ServiceRecords.ServicesName && (any || q.Type == DnsRecordType.Ptr)) Add(records.ServicesPtr);
            else if (q.Name == records.InstanceName)
            {
                if (any || q.Type == DnsRecordType.Srv) Add(records.Srv);
                if (any || q.Type == DnsRecordType.Txt) Add(records.Txt);
                if (!any && q.Type is not (DnsRecordType.Srv or DnsRecordType.Txt)) Add(records.InstanceNsec);
            }
            else if (q.Name == records.HostName)
            {
                if (any || q.Type == DnsRecordType.A) Add(records.A);
                else Add(records.HostNsec);   // no AAAA: say so (§6.1) rather than let the querier wait
            }
        }
        return answers;

        void Add(DnsRecord r)
        {
            if (!answers.Contains(r)) answers.Add(r);
        }
    }

    private static long SharedDelay() => Random.Shared.Next(20, 121);

    private static long TruncatedQueryDelay() => Random.Shared.Next(400, 501);

    private void RespondLater(List<DnsRecord> answers, ServiceRecords records, IPEndPoint to, long delayMs)
    {
        var token = _running!.Token;
        _ = Task.Delay(TimeSpan.FromMilliseconds(delayMs), token).ContinueWith(t =>
        {
            if (!t.IsCanceled) Respond(answers, records, to);
        }, TaskScheduler.Default);
    }

    /// <summary>The scheduler's due records, multicast in one packet.</summary>
    private void SendDue(List<DnsRecord> due)
    {
        ServiceRecords? records;
        lock (_lock) records = _records;
        if (records is not null) Respond(due, records, to: null);
    }

    private void Respond(List<DnsRecord> answers, ServiceRecords records, IPEndPoint? to, DnsMessage? legacyQuery = null)
    {
        lock (_lock) if (_state != State.Announced || _records != records) return;
        var additionals = new List<DnsRecord>();
        if (answers.Contains(records.Ptr)) additionals.AddRange([records.Srv, records.Txt, records.A, records.InstanceNsec, records.HostNsec]);
        else if (answers.Contains(records.Srv)) additionals.AddRange([records.A, records.HostNsec]);
        additionals.RemoveAll(answers.Contains);
        bool legacy = legacyQuery is not null;
        var response = new DnsMessage
        {
            Header = legacy ? new DnsHeader(legacyQuery!.Header.Id, DnsHeader.Response.Flags) : DnsHeader.Response,
            Questions = legacy ? legacyQuery!.Questions : [],
            Answers = legacy ? answers.Select(Legacy).ToList() : answers,
            Additionals = legacy ? additionals.Select(Legacy).ToList() : additionals,
        };
        if (to is null) SendMulticast(response);
        else _transport?.Send(response, to);
    }

    /// <summary>§6.7: a legacy unicast response has no cache-flush bits and TTLs of at most 10 s.</summary>
    private static DnsRecord Legacy(DnsRecord r) => r with { CacheFlush = false, Ttl = Math.Min(r.Ttl, 10) };

    /// <inheritdoc />
    public async Task StopAsync() => await CloseAsync(sendGoodbye: true);

    /// <summary>Closes the socket without goodbyes: what a board that reboots or loses its link looks like from outside.</summary>
    public async Task SilenceAsync() => await CloseAsync(sendGoodbye: false);

    private async Task CloseAsync(bool sendGoodbye)
    {
        MdnsTransport? transport;
        ServiceRecords? records;
        bool announced;
        lock (_lock)
        {
            transport = _transport;
            records = _records;
            announced = _state == State.Announced;
            _transport = null;
            _state = State.Idle;
        }
        _scheduler.Clear();
        if (transport is null) return;
        _running?.Cancel();
        if (sendGoodbye && announced && records is not null) transport.Send(records.Goodbye());
        await transport.DisposeAsync();
        _running?.Dispose();
        _running = null;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _scheduler.Dispose();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
