using System.Net;
using AmebaOta.Fleet.History;
using AmebaOta.Fleet.Rollouts;
using AmebaOta.Tests.Support;
using Microsoft.Data.Sqlite;

namespace AmebaOta.Tests.History;

public class HistoryStoreTests
{
    private static readonly ImageIdentity V2 = new(new string('a', 64), 1000, "v2.bin", 0x1234, 2);
    private static readonly ImageIdentity V3 = new(new string('b', 64), 1000, "v3.bin", 0x1235, 3);
    private static readonly IPEndPoint Board = new(IPAddress.Parse("192.0.2.10"), 5000);

    [Fact]
    public void A_new_file_is_created_in_wal_mode_at_the_latest_schema_version()
    {
        using var dir = new TempDir();
        using (var store = HistoryStore.Open(dir.File("sub/dir/h.db"))) Assert.Equal(HistoryMigrations.Latest, store.SchemaVersion);
        using var raw = new SqliteConnection($"Data Source={dir.File("sub/dir/h.db")}");
        raw.Open();
        using var command = raw.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar());
    }

    [Fact]
    public void A_rollouts_airtime_budget_and_cap_are_kept_for_its_resume_and_a_rollout_from_before_keeps_its_fixed_count()
    {
        using var dir = new TempDir();
        using var store = HistoryStore.Open(dir.File("h.db"));
        var rollouts = new RolloutStore(store);
        var plan = new RolloutPlan([new RolloutBoard(new AmebaOta.Fleet.FleetTarget("b1", Board), 1, 0, RolloutBoardState.Pending)], 1);
        RolloutSettings Settings(AmebaOta.Fleet.FleetOptions fleet) => new("100%", FailureThreshold.Parse("0"), TimeSpan.Zero, fleet, false, false, false);

        long byDefault = rollouts.Create(V2, "v2.bin", Settings(new()), plan);
        long capped = rollouts.Create(V2, "v2.bin", Settings(new() { MaxParallel = 8, MaxBytesPerSecond = 1e6 }), plan);
        Assert.Equal((null, 45e6 / 8), (rollouts.Load(byDefault)!.Settings.Fleet.MaxParallel, rollouts.Load(byDefault)!.Settings.Fleet.MaxBytesPerSecond));
        Assert.Equal((8, 1e6), (rollouts.Load(capped)!.Settings.Fleet.MaxParallel, rollouts.Load(capped)!.Settings.Fleet.MaxBytesPerSecond));

        // A rollout created before the budget existed (schema 1: a fixed count, no max_rate) resumes as it ran: 16 at a time, no budget.
        using (var raw = new SqliteConnection($"Data Source={dir.File("h.db")}"))
        {
            raw.Open();
            using var command = raw.CreateCommand();
            command.CommandText = $"UPDATE rollouts SET parallel = 16, max_rate = NULL WHERE id = {byDefault}";
            command.ExecuteNonQuery();
        }
        Assert.Equal((16, (double?)null), (rollouts.Load(byDefault)!.Settings.Fleet.MaxParallel, rollouts.Load(byDefault)!.Settings.Fleet.MaxBytesPerSecond));
    }

    [Fact]
    public void Uploads_are_recorded_with_their_board_image_and_outcome_and_the_belief_follows_them()
    {
        using var dir = new TempDir();
        using var store = HistoryStore.Open(dir.File("h.db"));
        store.RecordSightings([new BoardSighting("MyAmeba-1", Board.Address, 5000, "MyAmeba-1.local", "ameba_rtl8195a", DateTimeOffset.UtcNow)]);
        long first = store.BeginUpload(new UploadStart(null, Board, false, V2, "upload"));   // by address: the name seen there is used
        store.FinishUpload(first, new UploadEnd(UploadOutcome.Rebooted, RebootTime: TimeSpan.FromMilliseconds(900)));
        long second = store.BeginUpload(new UploadStart("MyAmeba-1", Board, true, V3, "fleet upload"));
        store.FinishUpload(second, new UploadEnd(UploadOutcome.NotBack, "no reboot seen", 7));

        var board = Assert.Single(store.Boards());
        Assert.Equal("MyAmeba-1", board.Name);
        Assert.Equal("ameba_rtl8195a", board.BoardId);
        Assert.Equal(V3.Sha256, board.LastTaken!.Image.Sha256);        // it took v3 ...
        Assert.Equal(UploadOutcome.NotBack, board.LastTaken.Outcome);  // ... but did not come back
        Assert.Equal(V2.Sha256, board.Believed!.Image.Sha256);          // so it is still believed to run v2, verified
        Assert.True(board.BelievedVerified);
        Assert.False(board.RunsVerified(V3.Sha256));

        var uploads = store.Uploads(new HistoryFilter(ImageSha: "bbbbbb"));
        var u = Assert.Single(uploads);
        Assert.Equal((7, "no reboot seen", "fleet upload"), (u.ExitCode!.Value, u.Error!, u.Command));
        Assert.Equal(2, store.Uploads(new HistoryFilter(Board: "myameba-1")).Count);
        Assert.Empty(store.Uploads(new HistoryFilter(Since: DateTimeOffset.UtcNow.AddMinutes(1))));
    }

    [Fact]
    public void A_database_from_a_newer_version_is_refused_not_damaged()
    {
        using var dir = new TempDir();
        using (var store = HistoryStore.Open(dir.File("h.db"))) { }
        using (var raw = new SqliteConnection($"Data Source={dir.File("h.db")};Pooling=False"))
        {
            raw.Open();
            using var command = raw.CreateCommand();
            command.CommandText = "PRAGMA user_version = 99";
            command.ExecuteNonQuery();
        }
        var e = Assert.Throws<HistoryException>(() => HistoryStore.Open(dir.File("h.db")));
        Assert.Contains("newer ameba-ota", e.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_database_warns_once_and_records_nothing()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("h.db"), new string('x', 4096));
        var warnings = new List<string>();
        using var history = BestEffortHistory.Open(dir.File("h.db"), warnings.Add);
        Assert.False(history.IsAvailable);
        history.Try(s => s.RecordImage(V2));
        history.Try(s => s.RecordImage(V3));
        var warning = Assert.Single(warnings);
        Assert.Contains("not a database", warning);
        Assert.Contains("the upload still runs", warning);
    }

    [Fact]
    public async Task Writers_in_parallel_lose_nothing()
    {
        using var dir = new TempDir();
        using (HistoryStore.Open(dir.File("h.db"))) { }
        // Four stores (four connections, as four processes would have), 50 uploads each, all at once.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            using var store = HistoryStore.Open(dir.File("h.db"));
            for (int i = 0; i < 50; i++)
            {
                long id = store.BeginUpload(new UploadStart($"W{w}-{i}", Board, true, V2, "fleet upload"));
                store.FinishUpload(id, new UploadEnd(UploadOutcome.Sent));
            }
        })));
        using var check = HistoryStore.Open(dir.File("h.db"));
        Assert.Equal(200, check.Uploads().Count(u => u.Outcome == UploadOutcome.Sent));
        Assert.Equal(200, check.Boards().Count);
        Assert.Equal("ok", check.IntegrityCheck());
    }
}
