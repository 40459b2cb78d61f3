/**
 * Per-monitor judging budgets ({@code "budget"} in a monitor config), enforced across the instances of the service
 * through one Kafka topic that every instance reads in the same order.
 */
package dev.tracemonitor.budget;
