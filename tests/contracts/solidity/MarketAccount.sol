// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

interface IMarketForAccount {
    function deposit() external payable;
    function withdraw(uint256 amount) external;
    function registerProver(uint64 capacity) external payable;
    function requestExit() external;
    function withdrawCollateral() external;
}

/// @title MarketAccount
/// @notice TEST ONLY. A contract account of the market that can refuse ETH, or re-enter the
///         market from its `receive` and record the revert it got.
contract MarketAccount {
    enum Mode {
        Accept,
        Refuse,
        Reenter
    }

    IMarketForAccount public immutable market;
    Mode public mode;
    bytes public reentryRevert;

    constructor(IMarketForAccount market_) {
        market = market_;
    }

    function setMode(Mode mode_) external {
        mode = mode_;
    }

    function deposit() external payable {
        market.deposit{value: msg.value}();
    }

    function withdraw(uint256 amount) external {
        market.withdraw(amount);
    }

    function registerProver(uint64 capacity) external payable {
        market.registerProver{value: msg.value}(capacity);
    }

    function requestExit() external {
        market.requestExit();
    }

    function withdrawCollateral() external {
        market.withdrawCollateral();
    }

    receive() external payable {
        if (mode == Mode.Refuse) revert("MarketAccount: refusing ETH");
        if (mode == Mode.Reenter) {
            try market.withdraw(1) {}
            catch (bytes memory reason) {
                reentryRevert = reason;
            }
        }
    }
}
