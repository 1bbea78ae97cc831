using AmebaOta.Device.Control;
using AmebaOta.Pins;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Device;

/// <summary>The control commands on an in-process board: one reply line each, bad input answered, never thrown.</summary>
public class BoardControlTests
{
    private static BoardControl Control(BoardHarness board) => new(board.Board, PinMap.Rtl8195a);

    [Theory]
    [InlineData("frobnicate", "error: unknown command 'frobnicate'")]
    [InlineData("pin", "error: usage: pin <pin> high|low")]
    [InlineData("pin 99 high", "error: Arduino pin 99 is not connected on rtl8195a")]
    [InlineData("pin 18 sideways", "error: 'sideways' is not a pin level")]
    [InlineData("pin PZ_9 high", "error: 'PZ_9' is not a pin")]
    [InlineData("wifi", "error: usage: wifi down|up")]
    [InlineData("wifi sideways", "error: usage: wifi down|up")]
    [InlineData("reset now", "error: reset takes no arguments")]
    [InlineData("status please", "error: status takes no arguments")]
    [InlineData("\u0001\u00ff\u2603", "error: unknown command")]
    public async Task Bad_commands_get_a_one_line_error_and_the_board_keeps_running(string command, string expected)
    {
        using var dir = new TempDir();
        await using var board = new BoardHarness(dir, TestImages.Image(1));
        await board.WaitForClientAsync();
        var reply = Control(board).Execute(command)!.ToString();
        Assert.StartsWith(expected, reply);
        Assert.DoesNotContain('\n', reply);
        Assert.Equal(1, board.Board.BootCount);
        Assert.StartsWith("ok: boots 1;", Control(board).Execute("status")!.ToString());
    }

    [Fact]
    public async Task Status_pin_and_wifi_report_in_one_line_and_pins_hold_across_resets()
    {
        using var dir = new TempDir();
        await using var board = new BoardHarness(dir, TestImages.Image(1));
        var endPoint = await board.WaitForClientAsync();
        var control = Control(board);
        Assert.Equal($"ok: boots 1; booted 0xb000 version 1 (basic); pins all low; wifi up (connected); listening {endPoint}; not advertised; flash instant",
            control.Execute("status")!.ToString());

        Assert.Equal("ok: pin 18 (PE_5) high: read at the next reset (reset to apply)", control.Execute("PIN 18 HIGH")!.ToString());
        Assert.Equal("ok: pin 17 (PA_0) low: read at the next reset (reset to apply)", control.Execute("pin PA_0 low")!.ToString());
        Assert.Equal("ok: reset: the board boots again", control.Execute("reset")!.ToString());
        await board.WaitForClientAsync(2);
        await board.WaitForClientAsync(2);
        Assert.Equal(PinLevel.High, board.Board.Pins[new ChipPin(0x45)]);
        Assert.Contains("; pins 17 (PA_0)=low,18 (PE_5)=high;", control.Execute("status")!.Text);
        Assert.StartsWith("boots 2;", control.Execute("status")!.Text);

        Assert.Equal("ok: wifi down", control.Execute("wifi down")!.ToString());
        Assert.Equal("ok: wifi was already down", control.Execute("wifi down")!.ToString());
        await board.Listener.WaitForAsync("closed", 2);
        Assert.EndsWith("wifi down (not connected); not listening; not advertised; flash instant", control.Execute("status")!.Text);
        Assert.Equal("ok: wifi up", control.Execute("wifi up")!.ToString());

        Assert.Null(control.Execute("   "));
        Assert.Null(control.Execute("# a comment"));
        Assert.True(control.Execute("quit")!.Quit);
        Assert.Contains("power-cut", control.Execute("help")!.Text);
    }

    [Fact]
    public async Task Reading_commands_answers_each_line_stops_at_the_end_of_input_and_skips_overlong_lines()
    {
        using var dir = new TempDir();
        await using var board = new BoardHarness(dir, TestImages.Image(1));
        await board.WaitForClientAsync();
        var replies = new List<string>();
        bool quit = false;
        var input = new StringReader($"status\n\nbogus\r\n{new string('x', 5000)}\nwifi up\n");
        await Control(board).ReadCommandsAsync(input, replies.Add, () => quit = true, CancellationToken.None);
        Assert.Equal(4, replies.Count);
        Assert.StartsWith("ok: boots 1;", replies[0]);
        Assert.StartsWith("error: unknown command 'bogus'", replies[1]);
        Assert.Equal($"error: command line longer than {BoardControl.MaxLineLength} characters; ignored", replies[2]);
        Assert.Equal("ok: wifi was already up", replies[3]);
        Assert.False(quit);

        replies.Clear();
        await Control(board).ReadCommandsAsync(new StringReader("quit\nstatus\n"), replies.Add, () => quit = true, CancellationToken.None);
        Assert.Equal(["ok: powering off"], replies);
        Assert.True(quit);
    }

    [Fact]
    public async Task Power_cut_with_no_flash_operation_under_way_power_cycles_the_board_after_the_grace_time()
    {
        using var dir = new TempDir();
        await using var board = new BoardHarness(dir, TestImages.Image(1), o => o with { PowerCutGrace = TimeSpan.FromMilliseconds(100) });
        await board.WaitForClientAsync();
        Assert.StartsWith("ok: power cut", Control(board).Execute("power-cut")!.ToString());
        await board.WaitForClientAsync(2);
        Assert.Contains(board.Notes.Lines, l => l.Contains("no flash operation was under way"));
        Assert.Equal(2, board.Board.BootCount);
        Assert.False(board.Board.Flash.IsPoweredOff);
    }
}
